#!/bin/sh
# Builds one container image, without any container runtime, in three forms: an OCI image
# layout directory (OUT/oci), a tar of it (OUT/oci.tar) and a `docker save` tarball in the
# classic layout (OUT/docker.tar: manifest.json, <config>.json, <layer>/layer.tar).
# Layer 1 holds app/config.env (TOKEN_LAYER) and app/old.yml (TOKEN_DELETED); layer 2
# deletes app/old.yml with a whiteout; the config's Env holds TOKEN_ENV.
# usage: mkimage.sh OUT TOKEN_LAYER TOKEN_DELETED TOKEN_ENV
set -eu
out=$1 t1=$2 t2=$3 t3=$4
w=$out/work
mkdir -p "$w/l1/app" "$w/l2/app" "$out/oci/blobs/sha256" "$out/docker"
printf 'APP_ENV=production\nGITHUB_TOKEN=%s\n' "$t1" > "$w/l1/app/config.env"
printf 'deploy:\n  token: %s\n' "$t2" > "$w/l1/app/old.yml"
printf 'nothing to see\n' > "$w/l2/app/readme.txt"
: > "$w/l2/app/.wh.old.yml"
(cd "$w/l1" && tar --owner=0 --group=0 -cf ../layer1.tar app)
(cd "$w/l2" && tar --owner=0 --group=0 -cf ../layer2.tar app)
gzip -n -c "$w/layer1.tar" > "$w/layer1.tar.gz"
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c < "$1" | tr -d ' '; }
d1=$(sha "$w/layer1.tar") d2=$(sha "$w/layer2.tar") g1=$(sha "$w/layer1.tar.gz")
cat > "$w/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/bin:/usr/bin","GITHUB_TOKEN=$t3"],"Labels":{"org.opencontainers.image.title":"demo"}},"rootfs":{"type":"layers","diff_ids":["sha256:$d1","sha256:$d2"]},"history":[{"created_by":"COPY app /app # buildkit"},{"created_by":"RUN /bin/sh -c rm /app/old.yml # buildkit"}]}
JSON
c=$(sha "$w/config.json")
cat > "$w/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$c","size":$(size "$w/config.json")},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$g1","size":$(size "$w/layer1.tar.gz")},{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$d2","size":$(size "$w/layer2.tar")}]}
JSON
m=$(sha "$w/manifest.json")
b=$out/oci/blobs/sha256
cp "$w/layer1.tar.gz" "$b/$g1"
cp "$w/layer2.tar" "$b/$d2"
cp "$w/config.json" "$b/$c"
cp "$w/manifest.json" "$b/$m"
printf '{"imageLayoutVersion":"1.0.0"}' > "$out/oci/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
    "$m" "$(size "$w/manifest.json")" > "$out/oci/index.json"
(cd "$out/oci" && tar -cf ../oci.tar oci-layout index.json blobs)
mkdir -p "$out/docker/$d1" "$out/docker/$d2"
cp "$w/layer1.tar" "$out/docker/$d1/layer.tar"
cp "$w/layer2.tar" "$out/docker/$d2/layer.tar"
cp "$w/config.json" "$out/docker/$c.json"
printf '[{"Config":"%s.json","RepoTags":["demo:latest"],"Layers":["%s/layer.tar","%s/layer.tar"]}]' \
    "$c" "$d1" "$d2" > "$out/docker/manifest.json"
(cd "$out/docker" && tar -cf ../docker.tar manifest.json "$c.json" "$d1" "$d2")
rm -rf "$w" "$out/docker"
echo "$c $g1 $d1 $d2"
