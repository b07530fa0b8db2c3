// Progress controls with htmx. htmx leaves 4xx answers unswapped, which would make a refused
// save look like nothing happened: a target marked data-swap-refusals shows the refusal in
// place (the server answers 400, 409 or 412 with the form again, the typed text kept).
const REFUSALS = [400, 409, 412];

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.target;
  if (target.closest("[data-swap-refusals]") && REFUSALS.includes(event.detail.xhr.status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Any other failure (the network, a 5xx) must not pass silently either: say so by the form.
document.addEventListener("htmx:afterRequest", (event) => {
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  if (event.detail.successful || REFUSALS.includes(status)) return;
  const form = event.target.closest("form");
  if (!form || form.querySelector(".request-failed")) return;
  const message = document.createElement("p");
  message.className = "error-message request-failed";
  message.setAttribute("role", "alert");
  message.textContent = "This was not saved: the site did not answer. Try again, or reload.";
  form.appendChild(message);
});

// "Copy the link" buttons (hidden without JavaScript, where the link can be selected by hand).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const id = button.dataset.copy;
    const source = document.getElementById(id);
    const status = document.querySelector(`[data-copied-for="${id}"]`);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        if (status) status.textContent = "Copied.";
      } catch {
        if (status) status.textContent = "Copying failed: select the link and copy it.";
      }
    });
  });
});
