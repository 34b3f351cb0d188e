// Suggestions as you type in the header's search box (find.go); the box
// is a plain form to /find without it. The input becomes an ARIA 1.2
// combobox over a listbox of matches from /api/v1/find: arrows move, Enter
// opens the chosen match (or, with none chosen, submits the form), Escape
// closes. Every text from the data is set with textContent, never as HTML.
(function () {
  'use strict';
  var input = document.getElementById('site-find');
  var list = document.getElementById('site-find-list');
  if (!input || !list || !window.fetch) return;
  var en = input.getAttribute('data-lang') === 'en';
  var api = input.getAttribute('data-api');
  var maxRunes = 64, shown = 10, wait = 200;
  var timer = 0, asked = 0, options = [], active = -1, last = '';

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', input.labels && input.labels.length ? input.labels[0].textContent : '');

  function close() {
    list.hidden = true;
    list.textContent = '';
    options = [];
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function choose(i) {
    if (active >= 0) options[active].setAttribute('aria-selected', 'false');
    active = i;
    if (i < 0) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    options[i].setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', options[i].id);
    options[i].scrollIntoView({ block: 'nearest' });
  }

  function name(x) { return en && x.name_en ? x.name_en : x.name; }

  function show(answer) {
    close();
    var matches = answer.matches.slice(0, shown);
    if (!matches.length) {
      var none = document.createElement('li');
      none.className = 'es-none';
      none.textContent = input.getAttribute('data-none');
      list.appendChild(none);
    }
    matches.forEach(function (m, i) {
      var li = document.createElement('li');
      li.id = 'site-find-option-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.setAttribute('data-url', m.url);
      var n = document.createElement('span');
      n.className = 'es-name';
      n.textContent = name(m);
      li.appendChild(n);
      if (m.parents.length) {
        var p = document.createElement('span');
        p.className = 'es-parents';
        p.textContent = m.parents.map(name).join(en ? ', ' : '，');
        li.appendChild(p);
      }
      list.appendChild(li);
      options.push(li);
    });
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function open(li) {
    var url = li.getAttribute('data-url');
    if (url && url.charAt(0) === '/' && url.charAt(1) !== '/') window.location.assign(url);
  }

  function suggest() {
    var q = input.value.trim();
    if (q === last) return;
    last = q;
    if (!q || Array.from(q).length > maxRunes) {
      close();
      return;
    }
    var mine = ++asked;
    fetch(api + '?q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        // An older answer arriving late never replaces a newer one.
        if (mine === asked && answer && input.value.trim() === q) show(answer);
      })
      .catch(function () {});
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(suggest, wait);
  }
  // While an input method composes (gulou on the way to 鼓楼) the text is
  // not yet what the visitor means: ask when it is committed.
  input.addEventListener('input', function (e) {
    if (!e.isComposing) later();
  });
  input.addEventListener('compositionend', later);
  input.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!options.length) return;
      e.preventDefault();
      var n = options.length;
      choose(e.key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n);
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      open(options[active]);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  // Enter with an option chosen opens it, however the browser turns the
  // key into a submission.
  if (input.form) {
    input.form.addEventListener('submit', function (e) {
      if (active >= 0) {
        e.preventDefault();
        open(options[active]);
      }
    });
  }
  // A press on an option must not blur the input first (which closes).
  list.addEventListener('mousedown', function (e) { e.preventDefault(); });
  list.addEventListener('click', function (e) {
    var li = e.target.closest('[role="option"]');
    if (li) open(li);
  });
  input.addEventListener('blur', function () { close(); last = ''; });
})();
