// Optional proof of work (see lindung/apps/intake/antispam.py): find a nonce such that
// SHA-256(challenge + ":" + nonce) starts with <bits> zero bits, before the form is sent.
// The form works without this script; solving it only earns a larger hourly allowance.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var challenge = document.getElementById("pow-challenge");
  var out = document.getElementById("pow-nonce");
  if (!form || !challenge || !out || !window.crypto || !window.crypto.subtle) { return; }
  var bits = parseInt(challenge.value.split(":")[1], 10) || 0;
  var encoder = new TextEncoder();
  function zeroBits(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      for (var b = 7; b >= 0 && !(bytes[i] & (1 << b)); b--) { n++; }
      break;
    }
    return n;
  }
  function solve(nonce) {
    return window.crypto.subtle.digest("SHA-256", encoder.encode(challenge.value + ":" + nonce))
      .then(function (digest) {
        return zeroBits(new Uint8Array(digest)) >= bits ? String(nonce) : solve(nonce + 1);
      });
  }
  var started = false;
  form.addEventListener("submit", function (event) {
    if (out.value) { return; }
    event.preventDefault();  // also while solving: the solver submits once when done
    if (started) { return; }
    started = true;
    solve(0).then(function (nonce) { out.value = nonce; form.submit(); },
                  function () { form.submit(); });
  });
})();
