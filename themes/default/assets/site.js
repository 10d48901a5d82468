/*
 * runbookc: the one script every page loads.  "/" focuses the search box
 * (from anywhere but a text field); Escape leaves it; a [data-print]
 * button prints.  The site works without it.
 */
(function () {
	'use strict';
	function editable(el) {
		if (!el) return false;
		var t = el.tagName;
		return el.isContentEditable || t === 'INPUT' || t === 'TEXTAREA' ||
		    t === 'SELECT';
	}
	document.addEventListener('click', function (e) {
		if (e.target.closest && e.target.closest('[data-print]'))
			window.print();
	});
	document.addEventListener('keydown', function (e) {
		var box = document.getElementById('site-q');
		if (!box) return;
		if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey &&
		    !editable(e.target)) {
			e.preventDefault();
			box.focus();
			box.select();
		} else if (e.key === 'Escape' && e.target === box) {
			box.blur();
		}
	});
})();
