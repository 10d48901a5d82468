/*
 * runbookc search.  The index is JavaScript written at build time
 * (src/search.c): search-index/index.js calls runbookcSearch.index(),
 * each search-index/t-KEY.js runbookcSearch.terms() and each
 * search-index/d-N.js runbookcSearch.docs().  Files are loaded with <script> tags, which
 * work from file:// where fetch() does not, and only the term shards a
 * query needs are loaded, then only the page-table chunks of the results
 * shown.
 *
 * Folding and tokenizing must match src/str.c (str_fold) and src/search.c
 * (is_token_char, SEARCH_MIN_TERM, SEARCH_MAX_TERM) exactly.
 */
(function () {
	'use strict';

	/* str_fold's table: Latin-1 and Latin Extended-A, index cp - 0xc0. */
	var LATIN = 'aaaaaaaceeeeiiii' + 'dnooooo ouuuuyts' +
	    'aaaaaaaceeeeiiii' + 'dnooooo ouuuuyty' + 'aaaaaaccccccccdd' +
	    'ddeeeeeeeeeegggg' + 'gggghhhhiiiiiiii' + 'ii  jjkkklllllll' +
	    'lllnnnnnnn  oooo' + 'oo  rrrrrrssssss' + 'sssstttttttuuuuu' +
	    'uuuuuuwwyyyzzzzz';
	var ALPHA = '0123456789abcdefghijklmnopqrstuvwxyz' +
	    'ABCDEFGHIJKLMNOPQRSTUVWXYZ-_';
	var DIGIT = {};
	var PAGE = 20;
	var i;

	for (i = 0; i < ALPHA.length; i++)
		DIGIT[ALPHA.charAt(i)] = i;

	function foldCp(cp) {
		if (cp >= 0x41 && cp <= 0x5a)
			return String.fromCharCode(cp + 32);
		if (cp === 0xdf)
			return 'ss';
		if (cp >= 0xc0 && cp <= 0x17f && cp !== 0xd7 && cp !== 0xf7 &&
		    LATIN.charAt(cp - 0xc0) !== ' ')
			return LATIN.charAt(cp - 0xc0);
		if ((cp >= 0x391 && cp <= 0x3a9) || (cp >= 0x410 && cp <= 0x42f))
			return String.fromCodePoint(cp + 32);
		return String.fromCodePoint(cp);
	}

	function fold(s) {
		var out = '', ch, cp;

		for (ch of s) {
			cp = ch.codePointAt(0);
			if (cp >= 0x300 && cp <= 0x36f)
				continue;	/* combining accents vanish */
			out += foldCp(cp);
		}
		return out;
	}

	function isTok(cp) {
		if (cp < 0x80)
			return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 &&
			    cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) ||
			    cp === 0x5f;
		return !(cp <= 0xbf || cp === 0xd7 || cp === 0xf7 ||
		    (cp >= 0x300 && cp <= 0x36f) ||
		    (cp >= 0x2000 && cp <= 0x2bff) ||
		    (cp >= 0x3000 && cp <= 0x303f) ||
		    (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff ||
		    (cp >= 0xff00 && cp <= 0xff0f) ||
		    (cp >= 0x1f000 && cp <= 0x1faff));
	}

	function utf8len(cp) {
		return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	}

	/* The folded tokens of s, as src/search.c cuts them. */
	function tokens(s, min, max) {
		var out = [], cur = [], ch, cp;

		function flush() {
			var t = '', bytes = 0, k;

			if (cur.length >= min) {
				for (k = 0; k < cur.length; k++) {
					bytes += utf8len(cur[k].codePointAt(0));
					if (bytes > max)
						break;
					t += cur[k];
				}
				if (out.indexOf(t) < 0)
					out.push(t);
			}
			cur = [];
		}
		for (ch of fold(s)) {
			cp = ch.codePointAt(0);
			if (isTok(cp))
				cur.push(ch);
			else
				flush();
		}
		flush();
		return out;
	}

	/* The key of the first n characters of tok, as src/search.c. */
	function keyOf(tok, n) {
		var key = '', k = 0, ch, cp;

		for (ch of tok) {
			if (k++ === n)
				break;
			cp = ch.codePointAt(0);
			key += (cp >= 0x61 && cp <= 0x7a) ||
			    (cp >= 0x30 && cp <= 0x39) ? ch :
			    '_' + cp.toString(16) + '_';
		}
		return key;
	}

	/*
	 * The shards that can hold terms starting with tok: those whose key
	 * is a prefix of tok's key (the shard tok falls in) or starts with
	 * it (tok is shorter than the shards' keys).
	 */
	function shardsFor(tok) {
		var k = keyOf(tok, Infinity);

		return S.meta.shards.filter(function (s) {
			return k.lastIndexOf(s, 0) === 0 || s.lastIndexOf(k, 0) === 0;
		});
	}

	function shardSrc(key) {
		return key ? 'search-index/t-' + key + '.js' :
		    'search-index/t.js';
	}

	/* ---- loading ---- */

	var S = {
		meta: null, shards: {}, docs: {}, loading: {}, gen: 0,
		results: [], shown: 0, query: ''
	};

	function load(src, done) {
		var el;

		if (S.loading[src] === true) {
			done();
			return;
		}
		if (S.loading[src]) {
			S.loading[src].push(done);
			return;
		}
		S.loading[src] = [done];
		el = document.createElement('script');
		el.src = src;
		el.onload = el.onerror = function () {
			var cbs = S.loading[src];

			S.loading[src] = true;
			cbs.forEach(function (cb) { cb(); });
		};
		document.head.appendChild(el);
	}

	function loadAll(srcs, done) {
		var left = srcs.length;

		if (left === 0) {
			done();
			return;
		}
		srcs.forEach(function (src) {
			load(src, function () {
				if (--left === 0)
					done();
			});
		});
	}

	window.runbookcSearch = {
		index: function (meta) {
			S.meta = meta;
			start();
		},
		terms: function (key, terms) { S.shards[key] = terms; },
		docs: function (n, rows) { S.docs[n] = rows; },
		/* For tests: a query's tokens, as the index has them. */
		tokens: function (s) {
			return tokens(s, S.meta ? S.meta.min : 2,
			    S.meta ? S.meta.max : 40);
		}
	};

	/* ---- ranking ---- */

	/* Calls fn(doc, weight) for each posting of an encoded list. */
	function postings(str, fn) {
		var doc = 0, v = 0, k, c;

		for (k = 0; k < str.length; k++) {
			c = DIGIT[str.charAt(k)];
			if (c >= 32) {
				v = v * 32 + (c - 32);
				continue;
			}
			doc += v * 32 + c;
			v = 0;
			fn(doc, DIGIT[str.charAt(++k)]);
		}
	}

	/* Title and alert ids above headings above body. */
	function fieldScore(w) {
		var m = w >> 3;

		return (m & 4 ? 1000 : 0) + (m & 2 ? 100 : 0) +
		    (m & 1 ? 10 + (w & 7) : 0);
	}

	function rank(qs) {
		var score = {}, hits = {}, docs = [], all = [], some = [];

		qs.forEach(function (q) {
			var best = {};

			shardsFor(q).forEach(function (k) {
				var shard = S.shards[k] || {}, t;

				for (t in shard) {
					if (t.lastIndexOf(q, 0) !== 0)
						continue;
					postings(shard[t], function (doc, w) {
						var s = fieldScore(w) *
						    (t === q ? 2 : 1);

						if (!(best[doc] >= s))
							best[doc] = s;
					});
				}
			});
			Object.keys(best).forEach(function (d) {
				if (!(d in hits)) {
					hits[d] = 0;
					score[d] = 0;
					docs.push(+d);
				}
				hits[d]++;
				score[d] += best[d];
			});
		});
		docs.forEach(function (d) {
			(hits[d] === qs.length ? all : some).push(d);
		});
		docs = all.length ? all : some;
		docs.sort(function (a, b) {
			return hits[b] - hits[a] || score[b] - score[a] || a - b;
		});
		return docs;
	}

	/* ---- showing ---- */

	function $(id) { return document.getElementById(id); }

	function say(key, n, q) {
		var st = $('search-status');

		st.textContent = (st.getAttribute('data-' + key) || '')
		    .replace('{n}', n).replace('{q}', q);
	}

	/* text with the tokens that match a query token marked. */
	function marked(text, qs) {
		var frag = document.createDocumentFragment(), runs = [], ch, f,
		    tok, last = null;

		/* Runs of token characters and of the rest, as tokens() cuts. */
		for (ch of text) {
			f = fold(ch);
			tok = f === '' ? last : isTok(f.codePointAt(0));
			if (last === null || tok !== last)
				runs.push({ tok: tok, text: '' });
			runs[runs.length - 1].text += ch;
			last = tok;
		}
		runs.forEach(function (r) {
			var m, f2 = fold(r.text);

			if (r.tok && qs.some(function (q) {
				return f2.lastIndexOf(q, 0) === 0;
			})) {
				m = document.createElement('mark');
				m.textContent = r.text;
				frag.appendChild(m);
			} else
				frag.appendChild(document.createTextNode(r.text));
		});
		return frag;
	}

	function badge(id) {
		var sev = S.meta.severities[id], el;

		if (!sev)
			return null;
		el = document.createElement('span');
		el.className = 'sev';
		el.textContent = sev.label;
		if (sev.color) {
			el.style.setProperty('--sev', sev.color);
			el.style.setProperty('--sev-ink', sev.ink);
		}
		return el;
	}

	function item(doc, qs) {
		var row = S.docs[Math.floor(doc / S.meta.chunk)][doc % S.meta.chunk];
		var li = document.createElement('li'), a, p, b, al;

		a = document.createElement('a');
		a.className = 'r-title';
		a.href = row[1];
		a.appendChild(marked(row[0], qs));
		li.appendChild(a);
		if ((b = badge(row[2])) !== null) {
			li.appendChild(document.createTextNode(' '));
			li.appendChild(b);
		}
		p = document.createElement('span');
		p.className = 'r-url';
		p.textContent = decodeURIComponent(row[1]);
		li.appendChild(p);
		if (row[3]) {
			p = document.createElement('p');
			p.appendChild(marked(row[3], qs));
			li.appendChild(p);
		}
		if (row[4]) {
			p = document.createElement('p');
			row[4].split(' ').forEach(function (id) {
				al = document.createElement('code');
				al.appendChild(marked(id, qs));
				p.appendChild(al);
				p.appendChild(document.createTextNode(' '));
			});
			li.appendChild(p);
		}
		return li;
	}

	function showMore(gen, qs) {
		var next = S.results.slice(S.shown, S.shown + PAGE);
		var chunks = [];

		next.forEach(function (d) {
			var src = 'search-index/d-' +
			    Math.floor(d / S.meta.chunk) + '.js';

			if (chunks.indexOf(src) < 0)
				chunks.push(src);
		});
		loadAll(chunks, function () {
			var ol = $('search-results');

			if (gen !== S.gen)
				return;
			next.forEach(function (d) {
				if (S.docs[Math.floor(d / S.meta.chunk)])
					ol.appendChild(item(d, qs));
			});
			S.shown += next.length;
			$('search-more').hidden = S.shown >= S.results.length;
		});
	}

	function run(q) {
		var gen = ++S.gen, qs, keys;

		S.query = q;
		$('search-results').textContent = '';
		$('search-more').hidden = true;
		qs = tokens(q, S.meta.min, S.meta.max);
		if (qs.length === 0) {
			say('hint', 0, q);
			return;
		}
		say('loading', 0, q);
		keys = [];
		qs.forEach(function (t) {
			shardsFor(t).forEach(function (k) {
				if (keys.indexOf(k) < 0)
					keys.push(k);
			});
		});
		loadAll(keys.map(shardSrc), function () {
			if (gen !== S.gen)
				return;
			S.results = rank(qs);
			S.shown = 0;
			say(S.results.length === 0 ? 'none' :
			    S.results.length === 1 ? 'one' : 'many',
			    S.results.length, q);
			S.qs = qs;
			showMore(gen, qs);
		});
	}

	function remember(q) {
		try {
			history.replaceState(null, '', q ?
			    '?q=' + encodeURIComponent(q) : location.pathname);
		} catch (e) {
			/* Some browsers refuse on file://: the query still ran. */
		}
	}

	function start() {
		var box = $('site-q'), form = box && box.form, timer = null, q;

		if (!box || !$('search-results'))
			return;
		q = new URLSearchParams(location.search).get('q') || '';
		box.value = q;
		if (q)
			run(q);
		box.addEventListener('input', function () {
			clearTimeout(timer);
			timer = setTimeout(function () {
				run(box.value);
				remember(box.value);
			}, 120);
		});
		form.addEventListener('submit', function (e) {
			e.preventDefault();
			clearTimeout(timer);
			run(box.value);
			remember(box.value);
		});
		$('search-more').addEventListener('click', function () {
			showMore(S.gen, S.qs);
		});
	}
})();
