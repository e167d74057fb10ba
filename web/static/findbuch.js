// Comfort only: every page works without JavaScript.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy).innerText;
  navigator.clipboard.writeText(text).then(
    () => { button.textContent = "Kopiert ✓"; },
    () => { button.textContent = "Bitte markieren und kopieren"; },
  );
});
