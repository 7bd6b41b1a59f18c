// The "Share…" button of the hosted page and the thank-you page ([data-web-share] forms).
// Where the browser has a share sheet (the Web Share API), the form is shown; pressing it makes
// the supporter's own link on the `device` channel (the same post a share button makes, on our
// own origin) and opens the device's share sheet with that link. Elsewhere the form stays
// hidden and the list of channels is the way to share. No other origin.
"use strict";

async function shareFromDevice(form) {
  const response = await fetch(form.action, { method: "POST", body: new FormData(form) });
  if (!response.ok) throw new Error(`share refused: ${response.status}`);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const link = page.getElementById("link");
  if (!link) throw new Error("no link in the answer");
  await navigator.share({ title: form.dataset.title, url: link.value });
}

if (navigator.share) {
  for (const form of document.querySelectorAll("form[data-web-share]")) {
    form.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      shareFromDevice(form).catch((error) => {
        // Closing the sheet is the supporter's choice; anything else shows the link page.
        if (error.name !== "AbortError") form.submit();
      });
    });
  }
}
