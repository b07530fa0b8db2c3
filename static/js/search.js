// The header's search box: "/" anywhere jumps to it, unless the reader is typing in a field;
// Escape leaves it. Without JavaScript the box is a plain GET form to /search/.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("site-search");
  if (!box) return;

  const typing = (element) =>
    element instanceof Element &&
    (element.isContentEditable || element.closest("input, textarea, select") !== null);

  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.defaultPrevented || typing(event.target)) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") box.blur();
  });
});
