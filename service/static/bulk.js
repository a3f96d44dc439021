// The bulk check page follows its check while it runs: it asks the progress URL (JSON) every few
// seconds and updates the bar, the sentence and the verdict counts in place, until the check is done.
// A file, not an inline script: the Content-Security-Policy allows none. Without scripts, a
// <noscript> meta refresh reloads the whole page instead.
(function () {
  "use strict";
  var section = document.getElementById("bulk-progress");
  if (!section || section.getAttribute("data-status") !== "running" || !window.fetch) {
    return;
  }
  var url = section.getAttribute("data-progress-url");
  var interval = Math.max(1, parseInt(section.getAttribute("data-interval"), 10) || 3) * 1000;
  var failures = 0;

  function field(name) {
    return section.querySelector('[data-field="' + name + '"]');
  }

  function show(progress) {
    var bar = field("percent");
    bar.value = progress.percent;
    bar.textContent = progress.percent + " %";
    field("summary").textContent = progress.summary;
    var list = field("verdicts");
    list.textContent = "";
    progress.verdicts.forEach(function (pair) {
      var item = document.createElement("li");
      item.textContent = pair[0] + ": " + pair[1];
      list.appendChild(item);
    });
    section.setAttribute("data-status", progress.status);
    field("running").hidden = progress.status !== "running";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress answered " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        failures = 0;
        show(progress);
        if (progress.status === "running") {
          window.setTimeout(poll, interval);
        }
      })
      .catch(function () {
        // A signed-out session or a passing network error: try a few more times, then leave the page be.
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, interval * failures);
        }
      });
  }

  window.setTimeout(poll, interval);
})();
