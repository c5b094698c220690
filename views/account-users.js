// The access forms (views/partials/access-choice.ejs). The server holds every rule here too; the
// script only makes the form show at once what the server would do:
// - ticking a permission box means "Choose Permissions": select it, so the form sends what it
//   shows (without script the server refuses All Permissions sent with ticked boxes);
// - a box that needs another ("Manage services" needs "View services") ticks it, and unticking
//   the needed one unticks the boxes that need it (without script the server adds what is missing);
// - the preset buttons tick exactly their set; without script they stay hidden.
// What changed besides the box the person clicked is read out through the form's status line.
(function () {
  function boxes(form) {
    // Manage users is given beside either choice: presets leave it as it is.
    var all = form.querySelectorAll('input[type="checkbox"][name="permissions"]:not([data-au-separate])');
    return Array.prototype.slice.call(all).filter(function (box) {
      return !box.disabled;
    });
  }

  function labelOf(box) {
    var label = box.id ? box.form.querySelector('label[for="' + box.id + '"]') : null;
    return label ? label.textContent.trim() : box.value;
  }

  function chooseSet(form) {
    var choose = form.querySelector('input[type="radio"][name="access"][value="choose"]');
    if (choose) choose.checked = true;
  }

  function announce(form, ticked, unticked) {
    var status = form.querySelector('[data-au-status]');
    if (!status) return;
    var parts = [];
    if (ticked.length)
      parts.push(status.getAttribute('data-au-ticked').replace('{permissions}', ticked.map(labelOf).join(', ')));
    if (unticked.length)
      parts.push(status.getAttribute('data-au-unticked').replace('{permissions}', unticked.map(labelOf).join(', ')));
    status.textContent = parts.join(' ');
  }

  document.addEventListener('change', function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox' || box.name !== 'permissions' || !box.form)
      return;
    if (box.hasAttribute('data-au-separate')) return;
    var form = box.form;
    var ticked = [];
    var unticked = [];
    if (box.checked) {
      chooseSet(form);
      var needs = box.getAttribute('data-au-needs');
      boxes(form).forEach(function (other) {
        if (needs && other.value === needs && !other.checked) {
          other.checked = true;
          ticked.push(other);
        }
      });
    } else {
      boxes(form).forEach(function (other) {
        if (other.getAttribute('data-au-needs') === box.value && other.checked) {
          other.checked = false;
          unticked.push(other);
        }
      });
    }
    if (ticked.length || unticked.length) announce(form, ticked, unticked);
  });

  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('button[data-au-preset]') : null;
    if (!button || !button.form) return;
    var keys = button.getAttribute('data-au-preset').split(' ');
    var ticked = [];
    var unticked = [];
    boxes(button.form).forEach(function (box) {
      var want = keys.indexOf(box.value) !== -1;
      if (want) ticked.push(box);
      else if (box.checked) unticked.push(box);
      box.checked = want;
    });
    chooseSet(button.form);
    announce(button.form, ticked, unticked);
  });

  function showPresets() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-au-presets]'), function (el) {
      el.hidden = false;
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showPresets);
  else showPresets();
})();
