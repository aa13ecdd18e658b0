// Khối Portal behaviour that needs no inline script (CSP forbids it).
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions: <form data-confirm="…">.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // <select data-navigate>: go to the chosen option's URL (the year switcher).
  document.querySelectorAll("select[data-navigate]").forEach((select) => {
    select.addEventListener("change", () => { window.location.href = select.value; });
  });
});
// Send Django's CSRF token with every HTMX request.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
