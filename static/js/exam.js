/* The trainee's exam page.
 *
 * - Every change is kept in localStorage at once and sent to the server after a short pause.
 * - Each save carries a per-question sequence number; the server keeps the highest, so an old
 *   save arriving late never overwrites a newer one.
 * - A failed save shows "未保存" and is retried with back-off until it goes through.
 * - The countdown follows the server: it counts down the server's remaining seconds with the
 *   monotonic clock (the device's wall clock is never trusted) and resynchronises on each save.
 * - At zero the paper is submitted; the submit request carries every answer as form data, which
 *   is also how the page works with JavaScript off.
 */
"use strict";
(function () {
  const form = document.getElementById("exam-form");
  if (!form) return;
  const msgs = document.getElementById("exam-messages").dataset;
  const statusEl = document.getElementById("save-status");
  const countdownEl = document.getElementById("countdown");
  const storeKey = "exam-attempt-" + form.dataset.attemptId;
  const serverSeq = {};
  const timers = {};
  const inFlight = {};
  let local = {};
  let closed = false;
  let retryDelay = 0;
  let retryTimer = null;

  try { local = JSON.parse(localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { local = {}; }
  function persist() { try { localStorage.setItem(storeKey, JSON.stringify(local)); } catch (e) { /* private mode: the server still has it */ } }

  function fieldset(qid) { return document.getElementById("q-" + qid); }
  function readResponse(fs) {
    if (fs.dataset.type === "short") return { text: fs.querySelector("textarea").value };
    const choices = [];
    fs.querySelectorAll("input:checked").forEach(function (i) { choices.push(parseInt(i.value, 10)); });
    choices.sort(function (a, b) { return a - b; });
    return { choices: choices };
  }
  function writeResponse(fs, response) {
    if (fs.dataset.type === "short") { fs.querySelector("textarea").value = response.text || ""; return; }
    const chosen = new Set(response.choices || []);
    fs.querySelectorAll("input").forEach(function (i) { i.checked = chosen.has(parseInt(i.value, 10)); });
  }
  function isAnswered(r) { return !!r && ((r.choices && r.choices.length > 0) || (r.text && r.text.trim().length > 0)); }
  function markNav(qid) {
    const link = document.querySelector('.qnav[data-qid="' + qid + '"]');
    const fs = fieldset(qid);
    if (!link || !fs) return;
    link.classList.toggle("answered", isAnswered(readResponse(fs)));
    link.classList.toggle("unsaved", !!(local[qid] && !local[qid].saved));
  }
  function setStatus(text, error) { statusEl.textContent = text; statusEl.classList.toggle("error", !!error); }
  function anyUnsaved() { return Object.keys(local).some(function (q) { return !local[q].saved; }); }
  function nextSeq(qid) { return Math.max(serverSeq[qid] || 0, (local[qid] && local[qid].seq) || 0) + 1; }

  function changed(qid) {
    if (closed) return;
    local[qid] = { response: readResponse(fieldset(qid)), seq: nextSeq(qid), saved: false };
    persist();
    markNav(qid);
    clearTimeout(timers[qid]);
    timers[qid] = setTimeout(function () { send(qid); }, 800);
  }

  async function send(qid) {
    const entry = local[qid];
    if (!entry || entry.saved || closed || inFlight[qid] === entry.seq) return;
    inFlight[qid] = entry.seq;
    setStatus(msgs.saving, false);
    try {
      const res = await fetch(form.dataset.saveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": form.dataset.csrf },
        body: JSON.stringify({ question_id: parseInt(qid, 10), response: entry.response, seq: entry.seq })
      });
      if (res.status === 409) { closeExam(); return; }
      if (!res.ok && res.status !== 422) throw new Error("HTTP " + res.status);
      const body = await res.json();
      serverSeq[qid] = Math.max(serverSeq[qid] || 0, entry.seq);
      if (local[qid] && local[qid].seq === entry.seq) { local[qid].saved = true; persist(); }
      if (typeof body.remaining_seconds === "number") syncClock(body.remaining_seconds);
      if (body.stored === false) refreshFromServer();  // a newer answer came from another device
      retryDelay = 0;
      markNav(qid);
      if (!anyUnsaved()) setStatus(msgs.saved + " " + new Date().toLocaleTimeString(), false);
    } catch (e) {
      setStatus(msgs.unsaved, true);
      scheduleRetry();
    } finally {
      if (inFlight[qid] === entry.seq) delete inFlight[qid];
    }
  }

  function scheduleRetry() {
    if (retryTimer || closed) return;
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 1000, 15000);
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
  }
  function flush() {
    return Promise.all(Object.keys(local).filter(function (q) { return !local[q].saved; }).map(send));
  }

  async function refreshFromServer() {
    try {
      const res = await fetch(form.dataset.stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const state = await res.json();
      if (state.submitted) { closed = true; window.location.reload(); return; }
      syncClock(state.remaining_seconds);
      Object.keys(state.answers).forEach(function (qid) {
        const remote = state.answers[qid];
        serverSeq[qid] = Math.max(serverSeq[qid] || 0, remote.seq);
        const mine = local[qid];
        if (mine && !mine.saved && mine.seq > remote.seq) return;  // ours is newer: it will be sent
        const fs = fieldset(qid);
        if (fs) writeResponse(fs, remote.response);
        local[qid] = { response: remote.response, seq: remote.seq, saved: true };
      });
      // Unsaved answers kept in this browser (e.g. the network dropped before a reload).
      Object.keys(local).forEach(function (qid) {
        const mine = local[qid];
        const fs = fieldset(qid);
        if (fs && !mine.saved) { writeResponse(fs, mine.response); }
        if (fs) markNav(qid);
      });
      persist();
      flush();
    } catch (e) {
      setStatus(msgs.unsaved, true);
      setTimeout(refreshFromServer, 3000);
    }
  }

  // Clock: the server's remaining seconds, counted with the monotonic clock.
  let deadlineAt = performance.now() + parseInt(countdownEl.dataset.remaining, 10) * 1000;
  function syncClock(remaining) { deadlineAt = performance.now() + remaining * 1000; }
  function tick() {
    const left = Math.max(0, Math.round((deadlineAt - performance.now()) / 1000));
    countdownEl.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    countdownEl.classList.toggle("urgent", left <= 300);
    if (left <= 0) closeExam();
  }

  function closeExam() {
    if (closed) return;
    closed = true;
    setStatus(msgs.closed, false);
    submitNow(true);
  }
  async function submitNow(byTimer) {
    const data = new FormData(form);
    if (byTimer) data.append("auto", "1");
    try {
      const res = await fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      });
      if (res.ok) {
        try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
        window.location.reload();
        return;
      }
    } catch (e) { /* offline: keep trying; the server submits at its deadline anyway */ }
    setStatus(msgs.unsaved, true);
    setTimeout(function () { submitNow(byTimer); }, 3000);
  }

  form.addEventListener("change", function (e) {
    const fs = e.target.closest("fieldset.question");
    if (fs) changed(fs.dataset.qid);
  });
  form.addEventListener("input", function (e) {
    if (e.target.tagName !== "TEXTAREA") return;
    changed(e.target.closest("fieldset.question").dataset.qid);
  });

  const panel = document.getElementById("confirm-panel");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    const missing = [];
    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      if (!isAnswered(readResponse(fs))) missing.push(fs.dataset.number);
    });
    document.getElementById("confirm-unanswered").textContent = missing.length
      ? msgs.unanswered + missing.join("、") + "。" + msgs.confirmSuffix
      : msgs.allAnswered;
    panel.hidden = false;
    panel.scrollIntoView({ block: "center" });
  });
  document.getElementById("cancel-submit").addEventListener("click", function () { panel.hidden = true; });
  document.getElementById("confirm-submit").addEventListener("click", function () {
    closed = true;
    submitNow(false);
  });
  window.addEventListener("beforeunload", function (e) {
    if (!closed && anyUnsaved()) { flush(); }
  });

  setInterval(tick, 1000);
  tick();
  refreshFromServer();
})();
