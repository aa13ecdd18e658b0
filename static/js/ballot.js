// The ballot page: "chọn tối đa N" (the server refuses more; this only helps), and copying the
// receipt. The form is sent through HTMX and the answer (the ballot again with its reason, or
// the receipt) replaces #phieu-bau, so everything here works on whatever is there now.
(() => {
  const limit = () => {
    const boxes = Array.from(document.querySelectorAll("input[type=checkbox][data-max-choices]"));
    if (!boxes.length) {
      return;
    }
    const max = Number(boxes[0].dataset.maxChoices);
    const ticked = boxes.filter((box) => box.checked).length;
    boxes.forEach((box) => { box.disabled = !box.checked && ticked >= max; });
    const counter = document.querySelector("[data-choice-count]");
    if (counter) {
      counter.textContent = counter.dataset.template.replace("{n}", ticked).replace("{max}", max);
    }
  };
  document.addEventListener("DOMContentLoaded", limit);
  document.addEventListener("change", (event) => {
    if (event.target.matches("input[type=checkbox][data-max-choices]")) {
      limit();
    }
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-copy]");
    const source = button && document.querySelector(button.dataset.copy);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim());
    }
  });
  // After an answer: the boxes' limit again, and the reader's focus on the receipt's heading
  // or on the first reason the ballot came back with.
  document.addEventListener("htmx:afterSettle", (event) => {
    const config = event.detail.requestConfig;
    if (config && config.verb === "post" && document.getElementById("phieu-bau")) {
      limit();
      const focus = document.querySelector("#phieu-bau [data-receipt-heading], #phieu-bau .alert");
      if (focus) {
        focus.setAttribute("tabindex", "-1");
        focus.focus();
      }
    }
  });
})();
