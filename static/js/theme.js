// Apply the theme as soon as it is chosen; without JavaScript the "Apply" button does it.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.theme-toggle");
  if (!form) return;
  const select = form.querySelector("select");
  const button = form.querySelector("button");
  if (button) button.classList.add("visually-hidden");
  select.addEventListener("change", () => form.requestSubmit());
});
