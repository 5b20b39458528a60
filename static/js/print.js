// The handout's "Print" button: shown only where scripts run (the browser's own Print works anyway).
const button = document.querySelector("button.print");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
