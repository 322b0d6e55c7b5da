// HIS Acceso: establishment pickers, searchable by name or code (accents and case ignored).
// Progressive enhancement only: without JavaScript every picker is a plain list that works.
//
// - [data-picker="checklist"]: a grouped list of checkboxes (several establishments). A search
//   field hides what does not match; the chosen ones stay visible and are counted.
// - select[data-picker="select"]: one establishment (assignment, filters). A search field
//   above it hides the options that do not match; the select keeps working as usual.
(function () {
  'use strict';

  var fold = function (text) {
    return text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
  };

  function searchField(id, label, compact) {
    var wrap = document.createElement('div');
    wrap.className = 'picker__search';
    var input = document.createElement('input');
    input.type = 'search';
    input.id = id;
    input.autocomplete = 'off';
    input.spellcheck = false;
    input.placeholder = compact ? 'Buscar nombre o código' : 'Nombre o código, por ejemplo «luque»';
    var status = document.createElement('p');
    status.className = 'hint picker__status';
    status.setAttribute('aria-live', 'polite');
    status.id = id + '-status';
    input.setAttribute('aria-describedby', status.id);
    if (compact) {
      // Beside a labelled list: the field is named by its own label, read out, not shown.
      input.setAttribute('aria-label', label);
      wrap.append(input, status);
    } else {
      var tag = document.createElement('label');
      tag.htmlFor = id;
      tag.textContent = label;
      wrap.append(tag, input, status);
    }
    return { wrap: wrap, input: input, status: status };
  }

  function matches(q, text) {
    return q === '' || fold(text).indexOf(q) !== -1;
  }

  function say(status, shown, q) {
    status.textContent =
      q === ''
        ? ''
        : shown === 0
          ? 'Ningún establecimiento coincide con «' + q + '».'
          : shown === 1
            ? '1 establecimiento coincide.'
            : shown + ' establecimientos coinciden.';
  }

  function checklist(root) {
    var items = Array.prototype.slice.call(root.querySelectorAll('[data-picker-item]'));
    var groups = Array.prototype.slice.call(root.querySelectorAll('[data-picker-group]'));
    var count = root.querySelector('[data-picker-chosen]');
    var field = searchField(root.id + '-search', 'Buscar establecimiento');
    root.insertBefore(field.wrap, root.firstChild);
    var update = function () {
      var q = fold(field.input.value.trim());
      var shown = 0;
      items.forEach(function (item) {
        var box = item.querySelector('input');
        var visible = box.checked || matches(q, item.getAttribute('data-picker-item'));
        item.hidden = !visible;
        if (visible && !box.checked) shown++;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector('[data-picker-item]:not([hidden])');
      });
      say(field.status, shown, q);
      if (count) {
        var chosen = items.filter(function (item) {
          return item.querySelector('input').checked;
        }).length;
        count.textContent =
          chosen === 0 ? 'Ninguno elegido.' : chosen === 1 ? '1 elegido.' : chosen + ' elegidos.';
      }
    };
    field.input.addEventListener('input', update);
    root.addEventListener('change', update);
    // Enter in the search field must not submit the form.
    field.input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') event.preventDefault();
    });
    update();
  }

  function select(el) {
    var options = Array.prototype.slice.call(el.querySelectorAll('option'));
    var groups = Array.prototype.slice.call(el.querySelectorAll('optgroup'));
    var field = searchField(el.id + '-search', 'Buscar en la lista', true);
    el.parentNode.insertBefore(field.wrap, el);
    field.input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') event.preventDefault();
    });
    field.input.addEventListener('input', function () {
      var q = fold(field.input.value.trim());
      var shown = 0;
      var first = null;
      options.forEach(function (option) {
        if (option.value === '') return;
        var visible = option.selected || matches(q, option.textContent);
        option.hidden = !visible;
        if (visible) {
          shown++;
          if (!first) first = option;
        }
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector('option:not([hidden])');
      });
      // One match: chosen at once, as a typed code expects.
      if (q !== '' && shown === 1 && first) first.selected = true;
      say(field.status, shown, q);
    });
  }

  document.querySelectorAll('[data-picker="checklist"]').forEach(checklist);
  document.querySelectorAll('select[data-picker="select"]').forEach(select);
})();
