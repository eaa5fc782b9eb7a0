// The assessment form saves as the officer goes (quality/views/visits_conduct.py, "autosave").
//
// Each part of the form marked data-autosave (a question: its score and evidence; a standard's
// findings; the summary) is sent on its own as JSON when it changes: a score at once, text when
// the box loses focus or after a pause in typing. Under it the page says "Saved at 10:42", or
// why it was not saved. When the connection drops, it keeps the latest values and tries again
// (and again when the browser is back online). The indicative ratings on the page are refreshed
// from each answer. Without JavaScript the form posts whole to the same services.
(function () {
  "use strict";

  var form = document.getElementById("assessment-form");
  if (!form || !form.dataset.autosaveUrl || !window.fetch || !window.JSON) return;

  var url = form.dataset.autosaveUrl;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var RETRY_MS = [2000, 5000, 10000, 30000];
  var TYPING_PAUSE_MS = 4000;
  var TAGS = { excellent: "green", good: "aqua-green", requires_improvement: "orange", poor: "red" };
  var parts = [];

  function payloadOf(box) {
    if (box.dataset.question) {
      var checked = box.querySelector("input[type=radio]:checked");
      return { question: box.dataset.question, score: checked ? checked.value : "",
               evidence: box.querySelector("textarea").value };
    }
    if (box.dataset.findings) {
      return { standard: box.dataset.findings, findings: box.querySelector("textarea").value };
    }
    return { summary: box.querySelector("textarea").value };
  }

  function show(part, text, state) {
    part.status.textContent = text;
    part.status.className = "portal-save-status portal-save-status--" + state;
  }

  function setTag(nodes, result) {
    Array.prototype.forEach.call(nodes, function (node) {
      node.textContent = result.label;
      node.className = "nhsuk-tag nhsuk-tag--" + (TAGS[result.rating] || "grey");
    });
  }

  function showRatings(ratings) {
    setTag(document.querySelectorAll("[data-rating-overall]"), ratings.overall);
    Object.keys(ratings.modules || {}).forEach(function (module) {
      setTag(document.querySelectorAll('[data-rating-module="' + module + '"]'), ratings.modules[module]);
    });
    Object.keys(ratings.standards || {}).forEach(function (code) {
      setTag(document.querySelectorAll('[data-rating-for="' + code + '"]'), ratings.standards[code]);
    });
  }

  function showProgress() {
    var progress = document.getElementById("assessment-progress");
    if (!progress) return;
    var questions = form.querySelectorAll("[data-question]");
    var scored = form.querySelectorAll("[data-question] input[type=radio]:checked:not([value=''])");
    progress.textContent = scored.length + " of " + questions.length + " questions scored.";
  }

  function retryLater(part, message) {
    show(part, message, "pending");
    var wait = RETRY_MS[Math.min(part.tries, RETRY_MS.length - 1)];
    part.tries += 1;
    clearTimeout(part.timer);
    part.timer = setTimeout(function () { save(part); }, wait);
  }

  function save(part) {
    clearTimeout(part.timer);
    var body = JSON.stringify(payloadOf(part.box));
    if (body === part.saved) return;
    if (part.busy) { part.again = true; return; }
    part.busy = true;
    show(part, "Saving…", "saving");
    fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }).then(function (result) {
      part.busy = false;
      if (result.ok && result.data && result.data.saved) {
        part.saved = body;
        part.tries = 0;
        show(part, "Saved at " + result.data.saved_at, "saved");
        if (result.data.ratings) showRatings(result.data.ratings);
      } else if (result.status >= 500) {
        retryLater(part, "Not saved yet: the portal did not answer. Trying again…");
      } else {
        var errors = result.data && result.data.errors ? result.data.errors.join(" ") : "";
        show(part, "Not saved: " + (errors || "refresh the page and try again."), "error");
      }
      if (part.again) { part.again = false; save(part); }
    }).catch(function () {
      part.busy = false;
      part.again = false;
      retryLater(part, navigator.onLine === false
        ? "Not saved yet: you are offline. It will save when you are back online."
        : "Not saved yet: the connection dropped. Trying again…");
    });
  }

  function unsaved() {
    return parts.some(function (part) {
      return part.busy || JSON.stringify(payloadOf(part.box)) !== part.saved;
    });
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-autosave]"), function (box) {
    var part = { box: box, status: box.querySelector("[data-save-status]"), saved: JSON.stringify(payloadOf(box)),
                 busy: false, again: false, tries: 0, timer: null };
    parts.push(part);
    box.addEventListener("change", function () {
      save(part);
      showProgress();
    });
    box.addEventListener("input", function (event) {
      if (event.target.tagName !== "TEXTAREA") return;
      clearTimeout(part.timer);
      part.timer = setTimeout(function () { save(part); }, TYPING_PAUSE_MS);
    });
    box.addEventListener("focusout", function (event) {
      if (event.target.tagName === "TEXTAREA") save(part);
    });
  });

  window.addEventListener("online", function () {
    parts.forEach(function (part) {
      if (JSON.stringify(payloadOf(part.box)) !== part.saved) save(part);
    });
  });
  var submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
