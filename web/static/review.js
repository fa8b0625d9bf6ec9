// Keyboard shortcuts on the review page (the forms work without this script).
// j/k move between incidents; c, d, b press the focused incident's button; e opens its correction.
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card[data-review]"));
  if (!cards.length) { return; }
  var at = 0;
  function focus(i) {
    at = Math.max(0, Math.min(cards.length - 1, i));
    cards[at].focus();
    cards[at].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (ev.ctrlKey || ev.metaKey || ev.altKey || /INPUT|TEXTAREA|SELECT/.test(tag)) { return; }
    if (ev.key === "j") { focus(at + 1); ev.preventDefault(); return; }
    if (ev.key === "k") { focus(at - 1); ev.preventDefault(); return; }
    if (ev.key === "e") {
      var details = cards[at].querySelector("details.correct");
      if (details) {
        details.open = true;
        details.querySelector("select").focus();
        ev.preventDefault();
      }
      return;
    }
    var button = cards[at].querySelector('button[data-key="' + ev.key + '"]');
    if (button) { ev.preventDefault(); button.click(); }
  });
  focus(0);
}());
