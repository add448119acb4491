"use strict";
// Filters, order and blur of the report's grid. Data comes from the cards' data-*
// attributes; nothing here builds markup from it.
(function () {
  const grid = document.getElementById("grid");
  const cards = Array.from(grid.querySelectorAll(".card"));
  const labelSelect = document.getElementById("filter-label");
  const minInput = document.getElementById("filter-min");
  const minOutput = document.getElementById("filter-min-value");
  const cleanBox = document.getElementById("filter-clean");
  const sortSelect = document.getElementById("sort");
  const revealAll = document.getElementById("reveal-all");
  const shownCount = document.getElementById("shown-count");
  const confidences = new Map(cards.map((card) => [card, JSON.parse(card.dataset.labels)]));

  function visible(card, label, min) {
    if (card.classList.contains("clean")) {
      return cleanBox !== null && cleanBox.checked && label === "";
    }
    const found = confidences.get(card);
    const confidence = label === "" ? Number(card.dataset.top) : found[label];
    return confidence !== undefined && confidence >= min;
  }

  function applyFilters() {
    const label = labelSelect.value;
    const min = Number(minInput.value);
    minOutput.textContent = String(min);
    let shown = 0;
    for (const card of cards) {
      card.hidden = !visible(card, label, min);
      if (!card.hidden) shown += 1;
    }
    shownCount.textContent = shown + " of " + cards.length;
  }

  function applyOrder() {
    const byConfidence = sortSelect.value === "confidence";
    const ordered = cards.slice().sort((a, b) =>
      byConfidence
        ? Number(b.dataset.top) - Number(a.dataset.top) || Number(a.dataset.line) - Number(b.dataset.line)
        : Number(a.dataset.line) - Number(b.dataset.line));
    grid.append(...ordered);
  }

  grid.addEventListener("click", (event) => {
    const thumb = event.target.closest(".thumb");
    if (thumb === null) return;
    const card = thumb.closest(".card");
    const revealed = card.classList.toggle("revealed");
    thumb.setAttribute("aria-pressed", String(revealed));
    thumb.title = revealed ? "Click to blur" : "Click to unblur";
  });
  document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
  labelSelect.addEventListener("change", applyFilters);
  minInput.addEventListener("input", applyFilters);
  if (cleanBox !== null) cleanBox.addEventListener("change", applyFilters);
  sortSelect.addEventListener("change", applyOrder);
  revealAll.addEventListener("change", () => document.body.classList.toggle("reveal-all", revealAll.checked));
  applyFilters();
})();
