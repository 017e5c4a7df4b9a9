// File pickers: say in Chinese which files were chosen (the native control is hidden).
(function () {
  "use strict";
  var pickers = document.querySelectorAll(".file-picker");
  Array.prototype.forEach.call(pickers, function (picker) {
    var input = picker.querySelector("input[type=file]");
    var names = picker.querySelector(".file-names");
    input.addEventListener("change", function () {
      var files = Array.prototype.map.call(input.files, function (f) { return f.name; });
      if (files.length === 0) {
        names.textContent = "未选择文件";
      } else if (files.length === 1) {
        names.textContent = "已选择：" + files[0];
      } else {
        names.textContent = "已选择 " + files.length + " 个文件：" + files.join("、");
      }
    });
  });
})();

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
