# bash completion for leakhound (installed as bash-completion/completions/leakhound)
_leakhound()
{
    local cur prev words cword
    _init_completion 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    }
    local commands="scan history staged image rules baseline revoke serve keygen install-hook version help"
    local common="--format --output --report --config --no-config --rules --no-builtin-rules --enable-rule
        --disable-rule --exclude --threads --max-file-size --follow-symlinks --scan-binary
        --show-secrets --show-invalid --no-inline-allow --no-inline-allow-confirmed --show-suppressed --repo-name --min-confidence --fail-on --exit-code
        --baseline --color --no-cache --quiet --help --max-findings-per-file
        --regex-match-limit --regex-depth-limit --max-archive-depth --max-archive-size
        --max-archive-member-size --max-archive-members --max-archive-ratio --max-archive-time
        --max-decode-depth"
    if [ "$cword" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
    fi
    case $prev in
    --format | -f) COMPREPLY=($(compgen -W "text json jsonl sarif github gitlab" -- "$cur")); return ;;
    --report)
        if [[ $cur == *:* ]]; then
            COMPREPLY=($(compgen -f -P "${cur%%:*}:" -- "${cur#*:}"))
        else
            COMPREPLY=($(compgen -W "text json jsonl sarif github gitlab" -S : -- "$cur"))
        fi
        return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --fail-on | --min-confidence) COMPREPLY=($(compgen -W "confirmed probable low" -- "$cur")); return ;;
    --feedback) COMPREPLY=($(compgen -W "token_hash token_raw" -- "$cur")); return ;;
    --output | -o | --config | --rules | --baseline | --github-keys | --state-dir | --tls-cert | --tls-key)
        COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    case ${words[1]} in
    rules) [ "$cword" -eq 2 ] && COMPREPLY=($(compgen -W "list check" -- "$cur")) && return ;;
    baseline) [ "$cword" -eq 2 ] && COMPREPLY=($(compgen -W "create prune" -- "$cur")) && return ;;
    revoke) [ "$cword" -eq 2 ] && COMPREPLY=($(compgen -W "flush status" -- "$cur")) && return ;;
    esac
    local extra=""
    case ${words[1]} in
    history) extra="--range --range-fallback --since --all-objects --pre-push" ;;
    rules) extra="--strict" ;;
    baseline) extra="--history --range --since --range-fallback" ;;
    install-hook) extra="--force --pre-commit --pre-push" ;;
    serve) extra="--listen --path --github-keys --github-keys-url --tls-cert --tls-key
        --admin-listen --max-body --max-connections --max-connections-per-ip --timeout
        --header-timeout --request-timeout --body-budget --threads --feedback
        --flush-interval --keys-ttl --keys-refetch" ;;
    keygen) extra="--prefix --length --count --json --rule --rule-id --regex" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$common $extra --revoke --revoke-url --state-dir --dry-run" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _leakhound leakhound
