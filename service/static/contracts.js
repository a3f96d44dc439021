// The live fairness panel of the contract form: after each change the form is sent to the lint endpoint
// (the signed-in session and the form's CSRF token, never an API key) and the panel shows the findings for
// exactly what would be saved. Loaded as a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var panel = document.getElementById("fairness");
  if (!panel) { return; }
  var form = document.getElementById(panel.getAttribute("data-form"));
  var busy = document.getElementById("fairness-busy");
  var url = panel.getAttribute("data-lint-url");
  var timer = null;
  var latest = 0;

  function check() {
    var ticket = ++latest;
    if (busy) { busy.hidden = false; }
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (ticket !== latest) { return; }  // an older answer arriving late must not win
        if (typeof result.html === "string") { panel.innerHTML = result.html; }
      })
      .catch(function () { /* keep the last panel; saving shows any problem */ })
      .then(function () { if (ticket === latest && busy) { busy.hidden = true; } });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 350);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
