// Copy buttons ([data-copy]: the promoter's links, a new API key) and the device's own share
// sheet ([data-share]). No other origin.
"use strict";

function say(input, text) {
  const status = document.getElementById(input.id + "-status");
  if (status) status.textContent = text;
}

async function copy(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    say(input, "Copied");
  } catch {
    input.focus();
    input.select();
    say(input, "Selected: press Ctrl+C (or ⌘C) to copy");
  }
}

document.addEventListener("click", (event) => {
  const copyButton = event.target.closest("[data-copy]");
  if (copyButton) {
    copy(document.getElementById(copyButton.dataset.copy));
    return;
  }
  const shareButton = event.target.closest("[data-share]");
  if (shareButton) {
    const input = document.getElementById(shareButton.dataset.share);
    navigator.share({ title: shareButton.dataset.title, url: input.value }).catch(() => {});
  }
});

if (navigator.share) {
  for (const button of document.querySelectorAll("[data-share]")) button.hidden = false;
}
