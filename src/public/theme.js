// Light and dark themes. The page follows the system (prefers-color-scheme) until the reader picks a theme
// with the header's button; the choice is kept in localStorage. A classic script loaded from the head, so the
// stored theme applies before the first paint, and a file, so the Content-Security-Policy needs no
// 'unsafe-inline'. Without JavaScript the button stays hidden and the system theme applies.
(function () {
  'use strict';
  var key = 'hw2-report-theme';
  var order = ['system', 'light', 'dark'];
  var root = document.documentElement;
  // Scripts run: show what only works with them (e.g. how to use an interactive chart, .interactive-hint).
  root.classList.add('js');

  function stored() {
    try {
      var value = window.localStorage.getItem(key);
      return value === 'light' || value === 'dark' ? value : 'system';
    } catch (_error) {
      return 'system'; // storage can be off (private windows, file://); the system theme still works
    }
  }

  function apply(choice) {
    if (choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = choice;
  }

  function save(choice) {
    try {
      if (choice === 'system') window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, choice);
    } catch (_error) {
      // the choice then lasts for this page only
    }
  }

  apply(stored());

  function wire() {
    var button = document.querySelector('[data-theme-toggle]');
    if (!button) return;
    var label = button.querySelector('[data-theme-label]') || button;
    function show(choice) {
      label.textContent = choice;
      button.setAttribute('data-theme-choice', choice);
    }
    show(stored());
    button.hidden = false;
    button.addEventListener('click', function () {
      var current = button.getAttribute('data-theme-choice') || 'system';
      var next = order[(order.indexOf(current) + 1) % order.length];
      apply(next);
      save(next);
      show(next);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wire);
  else wire();
})();
