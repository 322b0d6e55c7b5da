// The "Imprimir" button of a page meant for paper (the imported accounts' one-time passwords).
document.querySelectorAll('[data-print]').forEach(function (button) {
  button.addEventListener('click', function () {
    window.print();
  });
});
