// Renders one template with the action's own isolated renderer and prints the result as JSON:
// the platform tests read templates synchronously, and rendering is asynchronous (a child process).
import { text } from 'node:stream/consumers';
import { renderTemplate } from '../../src/discover/render.js';

const request = JSON.parse(await text(process.stdin)) as {
  text: string;
  file: string;
  options: Parameters<typeof renderTemplate>[2];
};
process.stdout.write(
  JSON.stringify(await renderTemplate(request.text, request.file, request.options)),
);
