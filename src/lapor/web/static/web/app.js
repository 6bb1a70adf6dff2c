/* Progressive enhancement only: every form works without this file. No inline scripts (CSP). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  function fill(select, rows, valueKey, labelKey) {
    var first = select.options[0];
    select.innerHTML = "";
    if (first) select.appendChild(first);
    rows.forEach(function (row) {
      var opt = document.createElement("option");
      opt.value = row[valueKey];
      opt.textContent = row[labelKey];
      select.appendChild(opt);
    });
    select.value = "";
  }

  function regions(box) {
    var levels = Array.prototype.slice.call(box.querySelectorAll("select[data-region-level]"));
    levels.forEach(function (select, i) {
      select.addEventListener("change", function () {
        levels.slice(i + 1).forEach(function (s) { fill(s, [], "code", "name"); });
        var next = levels[i + 1];
        if (!next || !select.value) return;
        getJSON("/api/regions?parent=" + encodeURIComponent(select.value))
          .then(function (rows) { fill(next, rows, "code", "name"); })
          .catch(function () { /* the no-JS button still works */ });
      });
    });
  }

  function agencyPicker(box) {
    var input = box.querySelector("input[name$='agency_q']");
    var select = box.querySelector("select");
    if (!input || !select) return;
    var timer;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(function () {
        getJSON("/api/agencies?limit=20&q=" + encodeURIComponent(q)).then(function (rows) {
          // never chosen for the user: the list is offered, the choice stays theirs
          fill(select, rows.map(function (r) { return { id: r.id, name: r.label || r.name }; }), "id", "name");
        }).catch(function () {});
      }, 250);
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
  }

  function geolocate(button) {
    if (!("geolocation" in navigator)) return;
    var form = button.form;
    var status = form.querySelector("[data-geo-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.msgWait || "";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
        status.textContent = button.dataset.msgOk || "";
      }, function () {
        status.textContent = button.dataset.msgFail || "";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  ready(function () {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
    document.querySelectorAll("[data-region]").forEach(regions);
    document.querySelectorAll("[data-agency-picker]").forEach(agencyPicker);
    document.querySelectorAll("[data-geolocate]").forEach(geolocate);
    document.querySelectorAll("select[data-template-for]").forEach(function (select) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var target = document.getElementById(select.dataset.templateFor);
        if (target && option && option.dataset.body) target.value = option.dataset.body;
      });
    });
    // Slow networks: a second tap must not send the report twice (the server also deduplicates).
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        var button = e.submitter;
        if (button && button.name === "refresh") return;
        if (form.dataset.sent) { e.preventDefault(); return; }
        form.dataset.sent = "1";
      });
    });
  });
})();
