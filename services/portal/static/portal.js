// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so keyboard and screen-reader users hear what went wrong.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }

    // Forms marked data-live-url re-check on the server as figures are typed, replacing one region.
    document.querySelectorAll("form[data-live-url]").forEach(function (form) {
      var target = document.getElementById(form.getAttribute("data-live-target"));
      if (!target) { return; }
      var timer = null;
      var check = function () {
        var body = new FormData(form);
        body.delete("documents"); // the criteria need the figures, not the files chosen to send
        fetch(form.getAttribute("data-live-url"), { method: "POST", body: body, credentials: "same-origin",
                                                     headers: { "X-Requested-With": "fetch" } })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (html) { if (html !== null) { target.innerHTML = html; } })
          .catch(function () { /* the server-side check button still works */ });
      };
      form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 400); });
      form.addEventListener("change", check);
    });
  });
})();
