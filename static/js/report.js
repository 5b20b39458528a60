// "Report a problem": show only the suggestions that fit the chosen problem. Without scripts every
// field shows, each with its own label, and the server keeps only the ones that fit.
const form = document.querySelector("form.report-form");
if (form) {
  const groups = form.querySelectorAll("fieldset[data-problem]");
  // The details are required for one problem ("Something else"): say so to the browser and screen readers.
  const details = form.querySelector("[data-required-for]");
  const update = () => {
    const chosen = form.querySelector("input[name=problem]:checked");
    for (const group of groups) {
      group.hidden = !chosen || group.dataset.problem !== chosen.value;
    }
    if (details) details.required = Boolean(chosen) && chosen.value === details.dataset.requiredFor;
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "problem") update();
  });
  update();
  // After the server refused the report, start at the first field it marked: a screen reader then reads
  // the field with its error (aria-describedby), which an alert on a new page may not get announced.
  const invalid = form.querySelector("[aria-invalid=true]");
  if (invalid) invalid.focus();
}
