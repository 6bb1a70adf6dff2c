// The job page without reloading: poll the job's API and move the progress bar in place; when the
// job ends, load the page once more (it then shows the download link or the error).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) { return; }
  var active = { queued: true, running: true };
  if (!active[box.getAttribute("data-state")]) { return; }
  var bar = document.getElementById("job-bar");
  var count = document.getElementById("job-count");
  var state = document.getElementById("job-state");
  function tick() {
    fetch(box.getAttribute("data-api"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (job) {
        if (!job) { setTimeout(tick, 5000); return; }
        state.textContent = job.state_label;
        if (job.total) {
          bar.max = job.total;
          bar.value = job.done;
          bar.textContent = job.percent + "%";
          count.textContent = job.done.toLocaleString() + " / " + job.total.toLocaleString() + " (" + job.percent + "%)";
        }
        if (active[job.state]) { setTimeout(tick, 1500); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
