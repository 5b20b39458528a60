// "Report a problem": show only the suggestions that fit the chosen problem. Without scripts every
// field shows, each with its own label, and the server keeps only the ones that fit.
const form = document.querySelector("form.report-form");
if (form) {
  const groups = form.querySelectorAll("fieldset[data-problem]");
  const update = () => {
    const chosen = form.querySelector("input[name=problem]:checked");
    for (const group of groups) {
      group.hidden = !chosen || group.dataset.problem !== chosen.value;
    }
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "problem") update();
  });
  update();
}
