// A refused htmx action says why, in place: the server marks a refusal fragment with
// HX-Refusal (roadmap_site/htmx.py); htmx would otherwise drop any 4xx answer unseen.
// A previous message from the same control is removed first, so messages do not pile up.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (!xhr || xhr.status < 400 || xhr.status >= 500) return;
  if (xhr.getResponseHeader("HX-Refusal") !== "true") return;
  const target = event.detail.target;
  const previous = target && target.nextElementSibling;
  if (previous && previous.matches(".error-message[role=alert]")) previous.remove();
  event.detail.shouldSwap = true;
  event.detail.isError = false;
});
