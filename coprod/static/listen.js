// Listen: reads the page's main content aloud with the browser's own speech, only when the
// person presses the button, and only where the browser has a voice for the page's language.
(function () {
  var speech = window.speechSynthesis;
  var box = document.querySelector(".listen");
  if (!speech || !box || !window.SpeechSynthesisUtterance) return;
  var button = box.querySelector("button");
  var lang = document.documentElement.lang.toLowerCase();
  var listenWord = button.textContent;

  function voice() {
    return speech.getVoices().filter(function (v) {
      var tag = v.lang.toLowerCase().replace("_", "-");
      return tag === lang || tag.split("-")[0] === lang.split("-")[0];
    })[0];
  }
  function show() {
    if (voice()) box.hidden = false;
  }
  button.addEventListener("click", function () {
    if (speech.speaking) {
      speech.cancel();
      return;
    }
    var main = document.getElementById("main").cloneNode(true);
    main.querySelectorAll(".page-tools, .flashes").forEach(function (e) { e.remove(); });
    var words = new SpeechSynthesisUtterance(main.innerText || main.textContent);
    words.lang = lang;
    words.voice = voice();
    words.onend = words.onerror = function () { button.textContent = listenWord; };
    button.textContent = button.dataset.stop;
    speech.speak(words);
  });
  show();
  speech.addEventListener("voiceschanged", show);
})();
