// The ballot page: "chọn tối đa N" (the server refuses more; this only helps), and copying the receipt.
document.addEventListener("DOMContentLoaded", () => {
  const boxes = Array.from(document.querySelectorAll("input[type=checkbox][data-max-choices]"));
  const counter = document.querySelector("[data-choice-count]");
  if (boxes.length) {
    const max = Number(boxes[0].dataset.maxChoices);
    const update = () => {
      const ticked = boxes.filter((box) => box.checked).length;
      boxes.forEach((box) => { box.disabled = !box.checked && ticked >= max; });
      if (counter) {
        counter.textContent = counter.dataset.template.replace("{n}", ticked).replace("{max}", max);
      }
    };
    boxes.forEach((box) => box.addEventListener("change", update));
    update();
  }
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const source = document.querySelector(button.dataset.copy);
      if (source && navigator.clipboard) { navigator.clipboard.writeText(source.textContent.trim()); }
    });
  });
});
