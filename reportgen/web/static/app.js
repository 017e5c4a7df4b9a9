// Job page: poll GET /api/jobs/{id} and update the progress bar; reload when finished
// so the server renders the results table. No framework, no inline script (CSP).
(function () {
  "use strict";
  var section = document.getElementById("job");
  if (!section || section.getAttribute("data-finished") === "yes") {
    return;
  }
  var id = section.getAttribute("data-job-id");
  var bar = document.getElementById("job-progress");
  var counts = document.getElementById("job-counts");
  var status = document.getElementById("job-status");

  function show(job) {
    var p = job.progress;
    bar.max = p.total;
    bar.value = p.done;
    counts.textContent = "已处理 " + p.done + " / " + p.total + "：成功 " + p.succeeded +
      "，失败 " + p.failed + "，剩余 " + p.remaining;
    if (p.failed > 0) {
      bar.classList.add("has-failures");
    }
    status.textContent = job.status_text;
  }

  function poll() {
    fetch("/api/jobs/" + encodeURIComponent(id), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        show(job);
        if (job.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 500);
})();
