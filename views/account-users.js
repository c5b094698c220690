// Ticking a permission box means "Choose Permissions": select it, so the form sends what it shows.
// Without this script the server refuses All Permissions sent with ticked boxes.
document.addEventListener('change', function (event) {
  var box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox' || box.name !== 'permissions' || !box.checked || !box.form) return;
  var choose = box.form.querySelector('input[type="radio"][name="access"][value="choose"]');
  if (choose) choose.checked = true;
});
