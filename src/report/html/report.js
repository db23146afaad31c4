// SPDX-License-Identifier: MIT
// leakhound HTML audit report: renders the "leakhound-audit/1" model embedded in the page's
// lh-model block. Every value of the model is attacker-controlled text (repository names,
// paths, commit messages, notes) and is only ever set through textContent or an attribute,
// never parsed as markup; links are made only from http(s) URLs. The secrets table is built
// incrementally (PAGE rows, more as the end of the table scrolls into view), so a model with
// tens of thousands of secrets opens as fast as one with ten. Missing or mistyped fields of the
// model show as a dash; unknown fields are ignored. Sets data-ready="true" on <html> (and
// window.lhReport.readyAt, ms since navigation start) once the first rows are shown.
(function () {
  'use strict';

  var PAGE = 100;
  var CONFIDENCE_ORDER = ['confirmed', 'probable', 'low'];
  var TRIAGE_ORDER = ['open', 'false-positive', 'revoked', 'accepted'];
  var TRIAGE_LABEL = {
    'open': 'Open', 'false-positive': 'False positive', 'revoked': 'Revoked',
    'accepted': 'Accepted'
  };

  // ---- small helpers ----

  function str(v) {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && isFinite(v)) return String(v);
    return '';
  }
  function arr(v) { return Array.isArray(v) ? v : []; }
  function obj(v) { return v && typeof v === 'object' && !Array.isArray(v) ? v : {}; }
  function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }
  function byId(id) { return document.getElementById(id); }

  // el('td', {className: 'x', title: 't', attrs: {...}}, child, ...): children are nodes or
  // strings (text nodes) or arrays of them; null children are skipped.
  function el(tag, props) {
    var e = document.createElement(tag);
    var p = props || {};
    if (p.className) e.className = p.className;
    if (p.title) e.title = p.title;
    if (p.text !== undefined) e.textContent = p.text;
    if (p.attrs) {
      for (var k in p.attrs) {
        if (Object.prototype.hasOwnProperty.call(p.attrs, k) && p.attrs[k] !== null) {
          e.setAttribute(k, p.attrs[k]);
        }
      }
    }
    for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
    return e;
  }
  function add(e, c) {
    if (c === null || c === undefined) return;
    if (Array.isArray(c)) c.forEach(function (x) { add(e, x); });
    else e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function dash(s) { return s === '' ? '\u2014' : s; }
  function fmtInt(n) { return n === null ? '\u2014' : n.toLocaleString('en-US'); }
  function plural(n, one, many) { return fmtInt(n) + ' ' + (n === 1 ? one : many); }

  // ISO 8601 -> {ts, day: "YYYY-MM-DD" (UTC), full}; unparsable text keeps its text.
  function when(v) {
    var s = str(v);
    var ts = s ? Date.parse(s) : NaN;
    if (isNaN(ts)) return {ts: null, day: s, full: s};
    var d = new Date(ts).toISOString();
    return {ts: ts, day: d.slice(0, 10), full: d.slice(0, 19).replace('T', ' ') + ' UTC'};
  }
  function shortSha(s) { return /^[0-9a-f]{12,64}$/i.test(s) ? s.slice(0, 12) : s; }
  function httpUrl(u) {
    return /^https?:\/\/[^\s<>"]+$/i.test(u) ? u : null;
  }
  // "acme/api:refs/heads/main" -> ["acme/api", "refs/heads/main"]
  function splitRef(r) {
    var i = r.lastIndexOf(':refs/');
    if (i < 0) i = r.indexOf(':');
    return i < 0 ? ['', r] : [r.slice(0, i), r.slice(i + 1)];
  }
  function confClass(c) {
    return CONFIDENCE_ORDER.indexOf(c) >= 0 ? 'badge conf-' + c : 'badge';
  }
  function triageClass(t) {
    return TRIAGE_ORDER.indexOf(t) >= 0 ? 'badge triage-' + t : 'badge';
  }
  function rankOf(order, v) {
    var i = order.indexOf(v);
    return i < 0 ? order.length : i;
  }

  // ---- the model ----

  var model, repoUrls = {}, rows = [];

  function load() {
    var block = byId('lh-model');
    model = obj(JSON.parse(block.textContent));
    arr(model.repositories).forEach(function (r) {
      var o = obj(r);
      var u = httpUrl(str(o.url));
      if (str(o.name) && u) repoUrls[str(o.name)] = u.replace(/\.git$/, '');
    });
    rows = arr(model.secrets).map(index);
  }

  // One row per secret: the values the table sorts and filters on, computed once.
  function index(s, i) {
    s = obj(s);
    var intro = obj(s.introduced);
    var triage = obj(s.triage);
    var occ = arr(s.occurrences).map(obj);
    var refs = arr(s.still_in_refs).filter(function (x) { return typeof x === 'string' && x; });
    var repos = [];
    function addRepo(n) { if (n && repos.indexOf(n) < 0) repos.push(n); }
    addRepo(str(intro.repository));
    occ.forEach(function (o) { addRepo(str(o.repository)); });
    refs.forEach(function (r) { addRepo(splitRef(r)[0]); });
    var hay = [str(s.rule_id), str(s.rule_name), str(s.provider), str(s.id),
               str(s.fingerprint), str(intro.commit)].concat(repos);
    occ.forEach(function (o) {
      hay.push(str(o.path), str(o.commit), str(o.fingerprint));
    });
    var w = when(intro.date);
    if (w.ts === null) {
      // no introduction date: the earliest occurrence's
      occ.forEach(function (o) {
        var ow = when(o.date);
        if (ow.ts !== null && (w.ts === null || ow.ts < w.ts)) w = ow;
      });
    }
    return {
      i: i, s: s, id: str(s.id) || 'secret-' + i, provider: str(s.provider),
      confidence: str(s.confidence), rule: str(s.rule_id), secret: str(s.secret),
      triage: str(triage.status) || 'open', note: str(triage.note), repos: repos,
      occ: occ, refs: refs, intro: w, search: hay.join('\n').toLowerCase()
    };
  }

  // ---- header, summary, repositories ----

  function renderHeader() {
    var tool = obj(model.tool), scope = obj(model.scope);
    var gen = when(model.generated_at);
    var parts = [];
    if (gen.day) parts.push('Generated ' + gen.full);
    if (str(tool.name)) parts.push('by ' + str(tool.name) + (str(tool.version) ? ' ' + str(tool.version) : ''));
    if (str(scope.organisation)) parts.push('organisation ' + str(scope.organisation));
    var nrepo = num(scope.repositories);
    if (nrepo === null) nrepo = arr(model.repositories).length;
    parts.push(plural(nrepo, 'repository', 'repositories'));
    byId('meta').textContent = parts.join(' \u00b7 ');
    byId('foot').textContent = 'Schema ' + dash(str(model.schema)) +
      '. Secret values are redacted; the full audit data is in this file (lh-model block).';
  }

  function countBy(key, order) {
    var m = {};
    rows.forEach(function (r) {
      var k = r[key];
      if (!m[k]) m[k] = {total: 0, confirmed: 0, probable: 0, low: 0, open: 0};
      m[k].total++;
      if (m[k][r.confidence] !== undefined) m[k][r.confidence]++;
      if (r.triage === 'open') m[k].open++;
    });
    var keys = Object.keys(m);
    keys.sort(function (a, b) {
      if (order) {
        var d = rankOf(order, a) - rankOf(order, b);
        if (d) return d;
      }
      return m[b].total - m[a].total || (a < b ? -1 : a > b ? 1 : 0);
    });
    return keys.map(function (k) { return {key: k, c: m[k]}; });
  }

  function filterButton(selectId, value, label) {
    var b = el('button', {className: 'link', text: label, attrs: {type: 'button'}});
    b.addEventListener('click', function () {
      byId(selectId).value = value;
      applyFilters();
      byId('findings').scrollIntoView();
    });
    return b;
  }

  function summaryTable(caption, head, data, cells) {
    var tr = el('tr');
    head.forEach(function (h, i) {
      tr.appendChild(el('th', {text: h, className: i ? 'num' : '', attrs: {scope: 'col'}}));
    });
    var tb = el('tbody');
    data.forEach(function (d) { tb.appendChild(cells(d)); });
    return el('table', {className: 'summary'}, el('caption', {text: caption}),
              el('thead', null, tr), tb);
  }

  function renderSummary() {
    var nocc = 0, open = 0;
    rows.forEach(function (r) { nocc += r.occ.length; if (r.triage === 'open') open++; });
    var repos = {};
    rows.forEach(function (r) { r.repos.forEach(function (n) { repos[n] = 1; }); });
    var t = byId('totals');
    clear(t);
    [[rows.length, 'secrets'], [nocc, 'occurrences'], [Object.keys(repos).length,
      'repositories with secrets'], [open, 'open (untriaged)']].forEach(function (x) {
      t.appendChild(el('div', {className: 'total'}, el('span', {className: 'n', text: fmtInt(x[0])}),
                       el('span', {className: 'l', text: x[1]})));
    });

    var prov = byId('by-provider');
    clear(prov);
    prov.appendChild(summaryTable('By provider', ['Provider', 'Secrets', 'Confirmed', 'Probable',
                                                  'Low', 'Open'],
      countBy('provider', null), function (d) {
        return el('tr', null,
          el('th', {attrs: {scope: 'row'}}, filterButton('f-provider', d.key, dash(d.key))),
          el('td', {className: 'num', text: fmtInt(d.c.total)}),
          el('td', {className: 'num', text: fmtInt(d.c.confirmed)}),
          el('td', {className: 'num', text: fmtInt(d.c.probable)}),
          el('td', {className: 'num', text: fmtInt(d.c.low)}),
          el('td', {className: 'num', text: fmtInt(d.c.open)}));
      }));

    var conf = byId('by-confidence');
    clear(conf);
    conf.appendChild(summaryTable('By confidence', ['Confidence', 'Secrets', 'Open'],
      countBy('confidence', CONFIDENCE_ORDER), function (d) {
        return el('tr', null,
          el('th', {attrs: {scope: 'row'}}, filterButton('f-confidence', d.key, dash(d.key))),
          el('td', {className: 'num', text: fmtInt(d.c.total)}),
          el('td', {className: 'num', text: fmtInt(d.c.open)}));
      }));

    var tri = byId('by-triage');
    clear(tri);
    tri.appendChild(summaryTable('By triage status', ['Status', 'Secrets', 'Confirmed'],
      countBy('triage', TRIAGE_ORDER), function (d) {
        return el('tr', null,
          el('th', {attrs: {scope: 'row'}},
             filterButton('f-triage', d.key, TRIAGE_LABEL[d.key] || dash(d.key))),
          el('td', {className: 'num', text: fmtInt(d.c.total)}),
          el('td', {className: 'num', text: fmtInt(d.c.confirmed)}));
      }));
  }

  function repoLink(name) {
    var u = repoUrls[name];
    return u ? el('a', {text: name, attrs: {href: u, rel: 'noopener noreferrer'}})
             : document.createTextNode(dash(name));
  }
  function commitNode(repo, sha) {
    var u = repoUrls[repo];
    var label = shortSha(sha);
    if (u && /^[0-9a-f]{7,64}$/i.test(sha)) {
      return el('a', {className: 'sha', text: label, title: sha,
                      attrs: {href: u + '/commit/' + sha, rel: 'noopener noreferrer'}});
    }
    return el('code', {className: 'sha', text: dash(label), title: sha});
  }

  function renderRepositories() {
    var list = arr(model.repositories).map(obj);
    var box = byId('repo-table');
    clear(box);
    box.appendChild(summaryTable(plural(list.length, 'repository', 'repositories') + ' audited',
      ['Repository', 'Secrets', 'Refs', 'Blobs scanned', 'Last scanned'], list, function (r) {
        return el('tr', null,
          el('th', {attrs: {scope: 'row'}}, repoLink(str(r.name)),
             str(r.url) ? el('div', {className: 'sub', text: str(r.url)}) : null),
          el('td', {className: 'num', text: fmtInt(num(r.findings))}),
          el('td', {className: 'num', text: fmtInt(num(r.refs))}),
          el('td', {className: 'num', text: fmtInt(num(r.blobs_scanned))}),
          el('td', {className: 'num', text: dash(when(r.last_scanned_at).full)}));
      }));
  }

  // ---- filters ----

  var F = {q: [], provider: '', confidence: '', triage: '', repository: ''};

  function fillSelect(id, values, label) {
    var sel = byId(id);
    values.forEach(function (v) {
      sel.appendChild(el('option', {text: label ? label(v.key) : dash(v.key) , attrs: {value: v.key}}));
    });
  }

  function setupFilters() {
    fillSelect('f-provider', countBy('provider', null));
    fillSelect('f-confidence', countBy('confidence', CONFIDENCE_ORDER));
    fillSelect('f-triage', countBy('triage', TRIAGE_ORDER),
               function (k) { return TRIAGE_LABEL[k] || dash(k); });
    var names = {};
    arr(model.repositories).forEach(function (r) { if (str(obj(r).name)) names[str(obj(r).name)] = 1; });
    rows.forEach(function (r) { r.repos.forEach(function (n) { names[n] = 1; }); });
    fillSelect('f-repository', Object.keys(names).sort().map(function (k) { return {key: k}; }));
    var form = byId('filters');
    form.addEventListener('input', applyFilters);
    form.addEventListener('change', applyFilters);
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    form.addEventListener('reset', function () { setTimeout(applyFilters, 0); });
  }

  function readFilters() {
    F.q = byId('f-search').value.toLowerCase().split(/\s+/).filter(Boolean);
    F.provider = byId('f-provider').value;
    F.confidence = byId('f-confidence').value;
    F.triage = byId('f-triage').value;
    F.repository = byId('f-repository').value;
  }

  function matches(r) {
    var sel = byId('f-provider').selectedIndex > 0;
    if (sel && r.provider !== F.provider) return false;
    if (byId('f-confidence').selectedIndex > 0 && r.confidence !== F.confidence) return false;
    if (byId('f-triage').selectedIndex > 0 && r.triage !== F.triage) return false;
    if (byId('f-repository').selectedIndex > 0 && r.repos.indexOf(F.repository) < 0) return false;
    for (var i = 0; i < F.q.length; i++) {
      if (r.search.indexOf(F.q[i]) < 0) return false;
    }
    return true;
  }

  // ---- the secrets table ----

  var COLUMNS = [
    {key: 'expand', label: '', sort: null},
    {key: 'confidence', label: 'Confi\u00addence',
     sort: function (r) { return rankOf(CONFIDENCE_ORDER, r.confidence); }},
    {key: 'provider', label: 'Provider', sort: function (r) { return r.provider.toLowerCase(); }},
    {key: 'rule', label: 'Rule', sort: function (r) { return r.rule; }},
    {key: 'secret', label: 'Secret', sort: function (r) { return r.secret; }},
    {key: 'repos', desc: true, label: 'Reposi\u00adtories', sort: function (r) { return -r.repos.length; }},
    {key: 'occ', desc: true, label: 'Occur\u00adrences', sort: function (r) { return -r.occ.length; }},
    {key: 'introduced', desc: true, label: 'Introduced',
     sort: function (r) { return r.intro.ts === null ? Infinity : -r.intro.ts; }},
    {key: 'refs', desc: true, label: 'In refs', sort: function (r) { return -r.refs.length; }},
    {key: 'triage', label: 'Triage', sort: function (r) { return rankOf(TRIAGE_ORDER, r.triage); }}
  ];
  var sortKey = 'confidence', sortDir = 1;
  var view = [], shown = 0, expanded = {};
  var tbody;

  function renderHead() {
    var tr = byId('secrets-head');
    COLUMNS.forEach(function (c) {
      var th = el('th', {attrs: {scope: 'col', 'data-key': c.key}});
      th.className = 'col-' + c.key;
      if (c.sort) {
        var b = el('button', {className: 'sort', text: c.label, attrs: {type: 'button'}});
        b.addEventListener('click', function () {
          if (sortKey === c.key) sortDir = -sortDir;
          else { sortKey = c.key; sortDir = 1; }
          applyFilters();
        });
        th.appendChild(b);
      } else {
        th.appendChild(el('span', {className: 'visually-hidden', text: 'Details'}));
      }
      tr.appendChild(th);
    });
  }

  function updateHead() {
    var ths = byId('secrets-head').children;
    for (var i = 0; i < ths.length; i++) {
      var k = ths[i].getAttribute('data-key');
      if (COLUMNS[i].sort) {
        // columns that sort on a negated key (counts, dates) list the largest first
        var dir = COLUMNS[i].desc ? -sortDir : sortDir;
        ths[i].setAttribute('aria-sort', k === sortKey ? (dir > 0 ? 'ascending' : 'descending')
                                                       : 'none');
      }
    }
  }

  function compare(a, b) {
    var col = null;
    for (var i = 0; i < COLUMNS.length; i++) if (COLUMNS[i].key === sortKey) col = COLUMNS[i];
    var ka = col.sort(a), kb = col.sort(b);
    if (ka < kb) return -sortDir;
    if (ka > kb) return sortDir;
    // ties: most severe, then newest, then model order
    var d = rankOf(CONFIDENCE_ORDER, a.confidence) - rankOf(CONFIDENCE_ORDER, b.confidence);
    if (d) return d;
    var ta = a.intro.ts === null ? -Infinity : a.intro.ts;
    var tb = b.intro.ts === null ? -Infinity : b.intro.ts;
    if (ta !== tb) return tb - ta;
    return a.i - b.i;
  }

  function applyFilters() {
    readFilters();
    view = rows.filter(matches);
    view.sort(compare);
    updateHead();
    clear(tbody);
    shown = 0;
    more(PAGE);
    var c = byId('count');
    c.textContent = view.length === rows.length
      ? plural(rows.length, 'secret', 'secrets')
      : plural(view.length, 'secret', 'secrets') + ' of ' + fmtInt(rows.length) + ' match the filters';
  }

  function more(n) {
    var frag = document.createDocumentFragment();
    var end = Math.min(view.length, shown + n);
    for (; shown < end; shown++) {
      var r = view[shown];
      frag.appendChild(rowFor(r));
      if (expanded[r.id]) frag.appendChild(detailFor(r));
    }
    tbody.appendChild(frag);
    byId('more').hidden = shown >= view.length;
  }

  function rowFor(r) {
    var btn = el('button', {className: 'expand', text: '\u25b8',
                            attrs: {type: 'button', 'aria-expanded': expanded[r.id] ? 'true' : 'false',
                                    'aria-label': 'Details of ' + (r.rule || 'secret') + ' ' + r.secret}});
    var tr = el('tr', {className: 'secret' + (expanded[r.id] ? ' open' : ''),
                       attrs: {'data-id': r.id}},
      el('td', {className: 'col-expand'}, btn),
      el('td', {className: 'col-confidence'}, el('span', {className: confClass(r.confidence),
                                                          text: dash(r.confidence)})),
      el('td', {className: 'col-provider', text: dash(r.provider)}),
      el('td', {className: 'col-rule', title: str(r.s.rule_name)}, el('code', {text: dash(r.rule)})),
      el('td', {className: 'col-secret'}, el('code', {className: 'redacted', text: dash(r.secret)})),
      el('td', {className: 'col-repos', title: r.repos.join('\n')},
         r.repos.length ? r.repos[0] : '\u2014',
         r.repos.length > 1 ? el('span', {className: 'sub', text: ' +' + (r.repos.length - 1)}) : null),
      el('td', {className: 'col-occ num', text: fmtInt(r.occ.length)}),
      el('td', {className: 'col-introduced', title: r.intro.full, text: dash(r.intro.day)}),
      el('td', {className: 'col-refs'}, r.refs.length
        ? el('span', {text: plural(r.refs.length, 'ref', 'refs')})
        : el('span', {className: 'gone', text: 'gone'})),
      el('td', {className: 'col-triage', title: r.note},
         el('span', {className: triageClass(r.triage), text: TRIAGE_LABEL[r.triage] || r.triage})));
    btn.addEventListener('click', function () { toggle(r, tr, btn); });
    return tr;
  }

  function toggle(r, tr, btn) {
    var next = tr.nextElementSibling;
    if (expanded[r.id]) {
      delete expanded[r.id];
      if (next && next.classList.contains('detail')) tbody.removeChild(next);
      btn.setAttribute('aria-expanded', 'false');
      tr.classList.remove('open');
    } else {
      expanded[r.id] = true;
      tbody.insertBefore(detailFor(r), next);
      btn.setAttribute('aria-expanded', 'true');
      tr.classList.add('open');
    }
  }

  // ---- one secret: identity, triage, timeline, occurrences ----

  function dl(pairs) {
    var d = el('dl', {className: 'facts'});
    pairs.forEach(function (p) {
      if (p[1] === null) return;
      d.appendChild(el('dt', {text: p[0], className: p[2] || ''}));
      d.appendChild(el('dd', {className: p[2] || ''}, typeof p[1] === 'string' ? dash(p[1]) : p[1]));
    });
    return d;
  }

  // Events from the introduction to now: one per distinct (repository, commit), oldest first.
  function timelineEvents(r) {
    var intro = obj(r.s.introduced);
    var ev = {}, list = [];
    function key(repo, c) { return repo + '\u0000' + c; }
    function add(repo, commit, date, author, message) {
      var k = key(repo, commit);
      if (!ev[k]) {
        ev[k] = {repo: repo, commit: commit, when: when(date), author: author, message: message,
                 paths: [], refs: [], introduced: false};
        list.push(ev[k]);
      }
      return ev[k];
    }
    if (str(intro.commit) || str(intro.date)) {
      add(str(intro.repository), str(intro.commit), intro.date, str(intro.author), '').introduced = true;
    }
    r.occ.forEach(function (o) {
      var e = add(str(o.repository), str(o.commit), o.date, str(o.author), str(o.message));
      if (!e.message) e.message = str(o.message);
      if (!e.author) e.author = str(o.author);
      if (e.when.ts === null) e.when = when(o.date);
      var where = str(o.path) + (num(o.line) !== null ? ':' + o.line : '');
      if (e.paths.indexOf(where) < 0) e.paths.push(where);
      arr(o.refs).map(str).forEach(function (x) { if (x && e.refs.indexOf(x) < 0) e.refs.push(x); });
    });
    list.sort(function (a, b) {
      if (a.introduced !== b.introduced) return a.introduced ? -1 : 1;
      var ta = a.when.ts === null ? Infinity : a.when.ts, tb = b.when.ts === null ? Infinity : b.when.ts;
      return ta - tb;
    });
    return list;
  }

  function timelineFor(r) {
    var events = timelineEvents(r);
    var now = Date.now();
    var gen = when(model.generated_at);
    var t0 = r.intro.ts;
    var box = el('div', {className: 'timeline-box'});
    box.appendChild(el('h3', {text: 'Timeline'}));
    // the bar: introduction at the left, today at the right
    if (t0 !== null && now > t0) {
      var bar = el('div', {className: 'tl-bar', attrs: {'aria-hidden': 'true'}});
      events.forEach(function (e) {
        if (e.when.ts === null) return;
        var dot = el('span', {className: 'tl-dot' + (e.introduced ? ' intro' : ''), title: e.when.day});
        dot.style.left = (Math.max(0, Math.min(1, (e.when.ts - t0) / (now - t0))) * 100).toFixed(2) + '%';
        bar.appendChild(dot);
      });
      bar.appendChild(el('span', {className: 'tl-end' + (r.refs.length ? ' live' : ' gone')}));
      box.appendChild(bar);
      box.appendChild(el('div', {className: 'tl-axis'},
        el('span', {text: r.intro.day}),
        el('span', {text: 'today ' + new Date(now).toISOString().slice(0, 10)})));
    }
    var ol = el('ol', {className: 'timeline'});
    events.forEach(function (e) {
      var li = el('li', {className: 'tl-event' + (e.introduced ? ' introduced' : ''),
                         attrs: {'data-date': e.when.day}},
        el('time', {text: dash(e.when.day), title: e.when.full,
                    attrs: {datetime: e.when.ts === null ? null : new Date(e.when.ts).toISOString()}}),
        el('div', {className: 'tl-body'},
          el('div', {className: 'tl-head'},
             el('strong', {text: e.introduced ? 'Introduced' : 'Committed'}), ' in ',
             repoLink(e.repo), ' at ', commitNode(e.repo, e.commit),
             e.author ? el('span', {className: 'sub', text: ' by ' + e.author}) : null),
          e.message ? el('div', {className: 'msg', text: e.message.split('\n')[0]}) : null,
          e.paths.length ? el('div', {className: 'paths'}, 'Paths: ',
            el('code', {text: e.paths.join(', ')})) : null,
          e.refs.length ? el('div', {className: 'sub', text: 'Reachable from ' + e.refs.join(', ')}) : null));
      ol.appendChild(li);
    });
    var last = el('li', {className: 'tl-event now ' + (r.refs.length ? 'live' : 'gone'),
                         attrs: {'data-date': gen.day}},
      el('time', {text: dash(gen.day), title: 'report generated ' + gen.full}),
      el('div', {className: 'tl-body'}, r.refs.length
        ? el('div', null, el('strong', {text: 'Still in ' + plural(r.refs.length, 'ref', 'refs')}),
             el('ul', {className: 'refs'}, r.refs.map(function (x) {
               return el('li', null, el('code', {text: x}));
             })))
        : el('div', null, el('strong', {text: 'Gone from all refs'}),
             el('span', {className: 'sub', text: ' (only in history; rewrite or expire it, and ' +
                                                   'revoke the secret)'}))));
    ol.appendChild(last);
    box.appendChild(ol);
    return box;
  }

  function occurrencesFor(r) {
    var head = el('tr');
    ['Repository', 'Path', 'Line', 'Commit', 'Date', 'Author', 'Refs'].forEach(function (h) {
      head.appendChild(el('th', {text: h, attrs: {scope: 'col'}}));
    });
    var tb = el('tbody');
    r.occ.forEach(function (o) {
      var w = when(o.date);
      tb.appendChild(el('tr', {className: 'occ'},
        el('td', null, repoLink(str(o.repository))),
        el('td', null, el('code', {className: 'path', text: dash(str(o.path))})),
        el('td', {className: 'num', text: num(o.line) === null ? '\u2014'
                  : o.line + (num(o.column) !== null ? ':' + o.column : '')}),
        el('td', null, commitNode(str(o.repository), str(o.commit))),
        el('td', {text: dash(w.day), title: w.full}),
        el('td', {text: dash(str(o.author))}),
        el('td', {text: dash(arr(o.refs).map(str).join(', '))})));
    });
    return el('div', {className: 'occ-box'}, el('h3', {text: plural(r.occ.length, 'occurrence', 'occurrences')}),
              el('table', {className: 'occurrences'}, el('thead', null, head), tb));
  }

  function detailFor(r) {
    var t = obj(r.s.triage);
    var tw = when(t.updated_at);
    var fp = str(r.s.fingerprint) || r.id;
    var facts = dl([
      ['Rule', str(r.s.rule_name) ? str(r.s.rule_name) + ' (' + r.rule + ')' : r.rule],
      ['Secret id', el('code', {text: r.id})],
      ['Fingerprint', el('code', {text: dash(str(r.s.fingerprint))})],
      ['Triage', el('span', null, el('span', {className: triageClass(r.triage),
                                               text: TRIAGE_LABEL[r.triage] || r.triage}),
                    tw.day ? el('span', {className: 'sub', text: ' updated ' + tw.full}) : null)],
      ['Note', r.note ? el('span', {className: 'note', text: r.note}) : null],
      ['Triage it', el('code', {className: 'cmd',
                                text: 'leakhound triage ' + fp + ' --status revoked --note "..."'}),
       'no-print']
    ]);
    var td = el('td', {attrs: {colspan: String(COLUMNS.length)}},
                el('div', {className: 'detail-grid'}, facts, timelineFor(r)), occurrencesFor(r));
    return el('tr', {className: 'detail', attrs: {'data-detail-for': r.id}}, td);
  }

  // ---- incremental loading, printing ----

  function nearEnd() {
    var s = byId('sentinel').getBoundingClientRect();
    return s.top < window.innerHeight + 600;
  }
  function fillViewport() {
    var guard = 0;
    while (shown < view.length && nearEnd() && guard++ < 50) more(PAGE);
  }

  function setupLoading() {
    byId('more').addEventListener('click', function () { more(PAGE * 5); });
    if ('IntersectionObserver' in window) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) fillViewport();
      }, {rootMargin: '600px 0px'}).observe(byId('sentinel'));
    }
    window.addEventListener('scroll', function () { if (nearEnd()) fillViewport(); }, {passive: true});
    // printing shows every row that matches the filters
    window.addEventListener('beforeprint', function () {
      more(view.length - shown);
      byId('repositories').querySelector('details').open = true;
    });
  }

  function fail(e) {
    document.documentElement.setAttribute('data-error', String(e && e.message || e));
    var p = el('p', {className: 'notice', attrs: {role: 'alert'}},
               'This report could not be displayed: ' + String(e && e.message || e));
    document.body.insertBefore(p, document.body.firstChild);
  }

  function main() {
    load();
    tbody = byId('secrets-body');
    renderHeader();
    renderSummary();
    renderRepositories();
    renderHead();
    setupFilters();
    setupLoading();
    applyFilters();
    window.lhReport = {readyAt: performance.now(), rows: rows.length,
                       shown: function () { return shown; }, more: more};
    document.documentElement.setAttribute('data-ready', 'true');
  }

  try {
    main();
  } catch (e) {
    fail(e);
  }
})();
