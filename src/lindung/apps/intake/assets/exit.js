// Quick exit: leave at once and take this page out of the back button's way.
// Without JavaScript the button is still a plain link to the same neutral page.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.innerHTML = "";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    // not while an input method is composing (Thai, Vietnamese... use Escape to cancel)
    if (event.key === "Escape" && !event.isComposing) { leave(event); }
  });
  // one tap sends once: a second tap would post the same form again and lose the receipt
  var forms = document.querySelectorAll("form[method=post]");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (event) {
      var button = event.target.querySelector("button[type=submit]");
      if (button && !event.defaultPrevented) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  }
})();
