// Polls a job's status while it runs, then reloads the page to show the result.
(function () {
  var box = document.getElementById("import-status");
  if (!box || box.dataset.finished === "true") return;
  var url = box.dataset.statusUrl;
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        var bar = document.getElementById("import-progress");
        if (bar) { bar.value = s.percent; bar.textContent = s.percent + "%"; }
        document.getElementById("import-stage").textContent = s.stage;
        if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1500); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
