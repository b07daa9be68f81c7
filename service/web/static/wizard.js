/* Live 試算 for the application wizard: sends the fields on screen to the server, which asks the
   rules engine (nothing is saved); the answer replaces the estimate panel (aria-live). Without
   JavaScript the panel shows the estimate of the saved draft. */
(function () {
  "use strict";
  var form = document.getElementById("wizard-form");
  var panel = document.getElementById("estimate");
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // The payee step: when the bank changes, its branches fill the branch list (by name, reading and code).
  var bank = document.getElementById("bank_code");
  var branches = document.getElementById("branch-options");
  if (bank && branches && branches.dataset.source) {
    var lastBank = null;
    var loadBranches = function () {
      var value = bank.value.trim();
      if (!value || value === lastBank) { return; }
      lastBank = value;
      fetch(branches.dataset.source + "?bank=" + encodeURIComponent(value),
            { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null && bank.value.trim() === value) { branches.innerHTML = html; } })
        .catch(function () { /* keep the list there is */ });
    };
    bank.addEventListener("change", loadBranches);
    bank.addEventListener("blur", loadBranches);
  }
  if (!form || !panel || !form.dataset.estimate) { return; }
  var timer = null;
  var seq = 0;
  function refresh() {
    var data = new FormData(form);
    data.append("step", form.dataset.step || "0");
    Array.from(data.keys()).forEach(function (key) {
      if (data.get(key) instanceof File) { data.delete(key); }
    });
    var mine = ++seq;
    fetch(form.dataset.estimate, { method: "POST", body: data, credentials: "same-origin",
                                   headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && mine === seq) { panel.innerHTML = html; } })
      .catch(function () { /* keep the last estimate */ });
  }
  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 400);
  }
  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
})();
