// Switchers (account, client) take effect as soon as a choice is made. Without scripts, the
// <noscript> button next to each one submits the form instead. Loaded as a file because the
// Content-Security-Policy allows no inline script.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit") && select.form) {
    select.form.submit();
  }
});

// Destructive forms ask first. The question sits in data-confirm (inline handlers are blocked by
// the Content-Security-Policy); without scripts the form simply submits.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
