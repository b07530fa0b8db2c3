// The theme applies as soon as it is chosen. Without JavaScript the "Apply" button sends the
// form; with it, the button is hidden (the hidden attribute: no invisible focus stop remains).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.theme-toggle");
  if (!form) return;
  const select = form.querySelector("select");
  const button = form.querySelector("button");
  if (button) button.hidden = true;
  select.addEventListener("change", () => form.requestSubmit());
});
