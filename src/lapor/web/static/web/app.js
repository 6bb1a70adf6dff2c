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
    document.querySelectorAll("form[data-keep-on-lang]").forEach(keepOnLanguage);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
    document.querySelectorAll("[data-region]").forEach(regions);
    document.querySelectorAll("[data-agency-picker]").forEach(agencyPicker);
    // "Sistem tidak yakin": the field marked autofocus (the agency search) takes the focus when its panel opens
    document.querySelectorAll("details[data-action-panel]").forEach(function (panel) {
      panel.addEventListener("toggle", function () {
        var field = panel.open && panel.querySelector("[autofocus]");
        if (field) field.focus();
      });
    });
    document.querySelectorAll("[data-geolocate]").forEach(geolocate);
    document.querySelectorAll("select[data-template-for]").forEach(function (select) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var target = document.getElementById(select.dataset.templateFor);
        if (target && option && option.dataset.body) target.value = option.dataset.body;
      });
    });
    // Slow networks: a second tap must not send the report twice (the server also deduplicates).
    document.querySelectorAll("form[data-once]").forEach(sendOnce);
    document.querySelectorAll("form[data-max-bytes]").forEach(fileLimits);
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  });

  function say(form, key, vars) {
    var text = form.dataset[key] || "";
    Object.keys(vars || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(vars[k]); });
    return text;
  }

  // The limits are checked here, before a byte is sent: on slow 3G a too-big file took minutes to refuse.
  function fileProblem(form) {
    var input = form.querySelector("input[type=file]");
    if (!input) return "";
    var files = Array.prototype.slice.call(input.files || []);
    var kept = form.querySelectorAll("input[name=kept]:checked").length;
    if (files.length + kept > Number(form.dataset.maxFiles)) return say(form, "msgTooMany");
    var accept = (input.getAttribute("accept") || "").split(",");
    for (var i = 0; i < files.length; i++) {
      var f = files[i], ext = "." + f.name.split(".").pop().toLowerCase();
      var typeOk = accept.some(function (a) {
        a = a.trim();
        return a && (a === ext || a === f.type || (a.slice(-2) === "/*" && f.type.indexOf(a.slice(0, -1)) === 0));
      });
      if (!typeOk) return f.name + ": " + say(form, "msgType");
      if (f.size > Number(form.dataset.maxBytes)) return f.name + ": " + say(form, "msgTooBig");
    }
    return "";
  }

  function fileLimits(form) {
    var input = form.querySelector("input[type=file]");
    var box = form.querySelector("[data-file-error]");
    if (!input || !box) return;
    input.addEventListener("change", function () {
      var problem = fileProblem(form);
      box.textContent = problem;
      box.hidden = !problem;
      input.setAttribute("aria-invalid", problem ? "true" : "false");
    });
  }

  function busy(form, on) {
    form.querySelectorAll("[data-send]").forEach(function (b) {
      if (on) { b.dataset.label = b.dataset.label || b.textContent; b.textContent = say(form, "msgSending"); }
      else if (b.dataset.label) b.textContent = b.dataset.label;
      b.classList.toggle("busy", on);
      b.setAttribute("aria-disabled", on ? "true" : "false");
    });
    var status = form.querySelector("[data-send-status]");
    if (status) status.textContent = on ? say(form, "msgSending") : "";
  }

  function sendOnce(form) {
    form.addEventListener("submit", function (e) {
      var button = e.submitter;
      if (button && (button.name === "refresh" || button.getAttribute("formaction"))) return;
      if (form.dataset.sent) { e.preventDefault(); return; }
      var problem = fileProblem(form);
      if (problem) {
        e.preventDefault();
        var box = form.querySelector("[data-file-error]");
        if (box) { box.textContent = problem; box.hidden = false; }
        form.querySelector("input[type=file]").focus();
        return;
      }
      form.dataset.sent = "1";
      busy(form, true);
      var input = form.querySelector("input[type=file]");
      if (input && input.files && input.files.length && window.FormData && window.XMLHttpRequest) {
        e.preventDefault();
        upload(form, button);
      }
    });
  }

  // With files: the same POST through XMLHttpRequest, to show how much has gone up.
  function upload(form, button) {
    var data = new FormData(form);
    if (button && button.name) data.append(button.name, button.value);
    var bar = form.querySelector("[data-progress]");
    var status = form.querySelector("[data-send-status]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.pathname);
    xhr.upload.addEventListener("progress", function (ev) {
      if (!ev.lengthComputable || !bar) return;
      var p = Math.round(100 * ev.loaded / ev.total);
      bar.hidden = false;
      bar.value = p;
      if (status) status.textContent = say(form, "msgProgress") + " " + p + "%";
    });
    xhr.addEventListener("load", function () {
      var url = xhr.responseURL || "";
      var path = url ? new URL(url).pathname : "";
      var posted = new URL(form.getAttribute("action") || window.location.pathname, window.location.href).pathname;
      // Sent on to another page (the report is in): open it. The same page, or the form's own address
      // (the reply came back refused, with what was typed), is shown as it came.
      if (path && path !== window.location.pathname && path !== posted) { window.location.href = url; return; }
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () { form.dataset.sent = ""; busy(form, false); form.submit(); });
    xhr.send(data);
  }

  // The header's language switch on the report form: the form itself is sent to come back in the
  // other language, so nothing typed or chosen is lost.
  function keepOnLanguage(form) {
    var select = document.getElementById("lang-select");
    if (!select) return;
    select.removeAttribute("data-autosubmit");
    select.addEventListener("change", function (e) {
      var b = document.createElement("input");
      b.type = "hidden"; b.name = "refresh"; b.value = "lang:" + select.value;
      form.appendChild(b);
      form.dataset.sent = "1";
      HTMLFormElement.prototype.submit.call(form);
    });
  }
})();
