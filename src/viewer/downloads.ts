/**
 * Files made in the page: records as text, figures as SVG (the library's own markup) or PNG (that
 * SVG drawn on a canvas by the browser). Nothing is sent anywhere; the browser saves a Blob.
 */

export type Payload = { text: string; type: string } | { blob: Blob };

/** Saves `blob` as `name` through a temporary `<a download>`. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The SVG's own width and height attributes (the library writes them in px). */
function svgSize(svg: string): { width: number; height: number } {
  const head = svg.slice(0, svg.indexOf('>'));
  const width = Number(/\bwidth="([\d.]+)/.exec(head)?.[1]);
  const height = Number(/\bheight="([\d.]+)/.exec(head)?.[1]);
  if (!(width > 0 && height > 0)) throw new Error('figure has no width/height');
  return { width, height };
}

/** A PNG of `svg` at `scale` × its size, on white (as `renderFigure` writes PNGs in Node). */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const { width, height } = svgSize(svg);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas in this browser');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}

export interface DownloadItem {
  /** Button text, e.g. `BED`. */
  label: string;
  /** File name, e.g. `let-7a.bed`. */
  file: string;
  make(): Payload | Promise<Payload>;
}

/** Replaces the buttons of `container` (its first child, a caption, stays) with one per item. */
export function setDownloads(container: HTMLElement, items: readonly DownloadItem[], onError: (message: string) => void): void {
  while (container.children.length > 1) container.lastElementChild!.remove();
  for (const item of items) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = item.label;
    button.title = item.file;
    button.dataset.file = item.file;
    button.addEventListener('click', async () => {
      try {
        const payload = await item.make();
        saveBlob(item.file, 'blob' in payload ? payload.blob : new Blob([payload.text], { type: payload.type }));
      } catch (e) {
        onError(`${item.file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    container.append(button);
  }
}

/** An SVG figure as two downloads, `NAME.svg` and `NAME.png`. */
export function figureDownloads(label: string, stem: string, svg: () => string): DownloadItem[] {
  return [
    { label: `${label} SVG`, file: `${stem}.svg`, make: () => ({ text: svg(), type: 'image/svg+xml' }) },
    { label: `${label} PNG`, file: `${stem}.png`, make: async () => ({ blob: await svgToPng(svg()) }) },
  ];
}

/** A file-name part from a user's id: letters, digits, `._-` only. */
export function fileStem(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[._]+/, '').slice(0, 80) || 'sequence';
}
