/* Certificate batches: poll each unfinished batch's JSON status and update its progress bar. */
"use strict";
(function () {
  const items = document.querySelectorAll("[data-batch-status-url][data-finished='false']");
  items.forEach(function (item) {
    const url = item.dataset.batchStatusUrl;
    const bar = item.querySelector("progress");
    const part = function (role) { return item.querySelector("[data-role='" + role + "']"); };
    const poll = function () {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (data) {
          bar.value = data.percent;
          bar.textContent = data.percent + "%";
          part("label").textContent = data.label;
          part("phase").textContent = data.phase_label;
          part("count").textContent = data.done + "/" + data.total;
          part("error").textContent = data.error || "";
          if (data.download_url) {
            const link = part("download");
            link.href = data.download_url;
            link.hidden = false;
          }
          if (data.finished) {
            item.dataset.finished = "true";
            if (data.status === "done") {
              // the counts and the list of issued certificates changed: show them
              window.setTimeout(function () { window.location.reload(); }, 1500);
            }
          } else {
            window.setTimeout(poll, 1500);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    poll();
  });
})();
