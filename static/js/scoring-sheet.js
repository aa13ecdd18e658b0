// The score sheet (phiếu tự chấm điểm): live running totals and a warning before unsaved
// scores are lost. The server's totals stay the reference; this only saves a reload.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("phieu");
  const totals = document.querySelector("[data-live-totals]");
  if (!form) { return; }
  const format = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });
  const parse = (text) => {
    const value = Number.parseFloat(String(text).replace(",", "."));
    return Number.isFinite(value) ? value : 0;
  };
  const recompute = () => {
    if (!totals) { return; }
    const sums = { normal: 0, bonus: 0, deduction: 0 };
    form.querySelectorAll("input.score-input[data-kind]").forEach((input) => {
      if (input.dataset.kind in sums) { sums[input.dataset.kind] += parse(input.value); }
    });
    sums.total = sums.normal + sums.bonus - sums.deduction;
    Object.entries(sums).forEach(([kind, value]) => {
      const output = totals.querySelector(`output[data-total="${kind}"]`);
      if (output) { output.textContent = format.format(value); }
    });
  };
  let dirty = false;
  form.addEventListener("input", (event) => {
    if (event.target.form !== form) { return; }  // a file chosen for an evidence upload form
    dirty = true;
    recompute();
  });
  form.addEventListener("submit", () => { dirty = false; });
  // "Lưu nháp" sends only the scores and explanations changed since the page was shown; the
  // server keeps the others as saved. A page shown again after a refused save has no
  // data-changed-only: it sends everything, since what it shows is not what is saved.
  if (form.hasAttribute("data-changed-only")) {
    form.addEventListener("formdata", (event) => {
      form.querySelectorAll("input.score-input[name], textarea[name^='text_']").forEach((field) => {
        if (field.form === form && field.value === field.defaultValue) {
          event.formData.delete(field.name);
        }
      });
      event.formData.set("changed_only", "1");
    });
  }
  // Sending the sheet, uploading a file or leaving the page would drop what was typed.
  window.addEventListener("beforeunload", (event) => {
    if (dirty) { event.preventDefault(); }
  });
});
