import type { Page } from "playwright-core";

/** Something on the page below the contrast WCAG 2.2 AA asks for. */
export type ContrastFailure = {
  what: string;
  ratio: number;
  required: number;
  color: string;
  background: string;
};

/**
 * Every visible text on the page, each form field's value, placeholder and edge, checked against
 * the background it is drawn on (the nearest opaque one, semi-transparent layers and opacity
 * blended in, as the eye sees them): 4.5:1 for text, 3:1 for large text and for a field's edge
 * (WCAG 1.4.3 and 1.4.11). Disabled controls are exempt, as WCAG has it.
 */
export function auditContrast(page: Page): Promise<ContrastFailure[]> {
  return page.evaluate(() => {
    // The canvas reads any CSS colour syntax (rgb(), color(srgb …) from color-mix()) as bytes.
    const canvas = document.createElement("canvas");
    canvas.width = 1;
    canvas.height = 1;
    const paint = canvas.getContext("2d", { willReadFrequently: true });
    if (!paint) throw new Error("no 2D canvas");
    type Rgba = [number, number, number, number];
    const rgba = (css: string): Rgba => {
      paint.clearRect(0, 0, 1, 1);
      paint.fillStyle = css;
      paint.fillRect(0, 0, 1, 1);
      const [r = 0, g = 0, b = 0, a = 0] = paint.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
    const over = ([r, g, b, a]: Rgba, [br, bg, bb]: Rgba): Rgba => [
      r * a + br * (1 - a),
      g * a + bg * (1 - a),
      b * a + bb * (1 - a),
      1,
    ];
    const luminance = ([r, g, b]: Rgba) => {
      const channel = (value: number) => {
        const c = value / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const ratio = (a: Rgba, b: Rgba) => {
      const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
    };
    const css = ([r, g, b]: Rgba) => `rgb(${Math.round(r)} ${Math.round(g)} ${Math.round(b)})`;

    /** What `element` is drawn on, and the opacity its own content gets on the way up to it. */
    function backdrop(element: Element): { background: Rgba; opacity: number } {
      const layers: Rgba[] = [];
      let opacity = 1;
      for (let node: Element | null = element; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        const layer = rgba(style.backgroundColor);
        if (layer[3] > 0) layers.push(layer);
        if (layer[3] >= 1) break;
        opacity *= Number(style.opacity);
      }
      let background: Rgba = [255, 255, 255, 1];
      for (const layer of layers.reverse()) background = over(layer, background);
      return { background, opacity };
    }

    const failures: {
      what: string;
      ratio: number;
      required: number;
      color: string;
      background: string;
    }[] = [];
    function check(what: string, element: Element, color: string, required: number, on = backdrop(element)) {
      const [r, g, b, a] = rgba(color);
      const seen = over([r, g, b, a * on.opacity], on.background);
      const measured = ratio(seen, on.background);
      if (measured < required) {
        failures.push({
          what,
          ratio: Math.round(measured * 100) / 100,
          required,
          color: css(seen),
          background: css(on.background),
        });
      }
    }
    const shown = (element: Element) => {
      const box = element.getBoundingClientRect();
      // The skip link waits off-screen, to the left, until it has focus.
      return (
        box.width > 0 &&
        box.height > 0 &&
        box.right > 0 &&
        element.checkVisibility({ visibilityProperty: true })
      );
    };
    const exempt = (element: Element) => element.closest(":disabled, [aria-hidden='true']") !== null;

    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const checked = new Set<Element>();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || checked.has(element) || !node.textContent?.trim()) continue;
      if (["SCRIPT", "STYLE", "OPTION"].includes(element.tagName) || exempt(element) || !shown(element))
        continue;
      checked.add(element);
      const style = getComputedStyle(element);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      check(`text “${node.textContent.trim().slice(0, 40)}”`, element, style.color, large ? 3 : 4.5);
    }
    for (const field of document.querySelectorAll("input, textarea, select")) {
      if (!(field instanceof HTMLElement) || exempt(field) || !shown(field)) continue;
      const label =
        field instanceof HTMLInputElement ||
        field instanceof HTMLTextAreaElement ||
        field instanceof HTMLSelectElement
          ? field.labels?.[0]?.textContent?.trim()
          : undefined;
      const name = `field “${label || field.id || field.tagName.toLowerCase()}”`;
      const style = getComputedStyle(field);
      check(`${name}'s value`, field, style.color, 4.5);
      const input =
        field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement ? field : undefined;
      if (input?.placeholder && input.value === "") {
        check(`${name}'s placeholder`, field, getComputedStyle(field, "::placeholder").color, 4.5);
      }
      // Its edge against what surrounds it, and against its own inside.
      const outside = field.parentElement ? backdrop(field.parentElement) : backdrop(field);
      check(`${name}'s edge`, field, style.borderTopColor, 3, outside);
      check(`${name}'s edge, inside`, field, style.borderTopColor, 3);
    }
    return failures;
  });
}

/**
 * The keyboard focus ring of each of the first `stops` elements Tab reaches, against what
 * surrounds it: 3:1 (WCAG 1.4.11). Returns the failures, and how many rings it saw.
 */
export async function auditFocusRings(
  page: Page,
  stops = 10,
): Promise<{ failures: ContrastFailure[]; seen: number }> {
  const failures: ContrastFailure[] = [];
  let seen = 0;
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let stop = 0; stop < stops; stop++) {
    await page.keyboard.press("Tab");
    const found = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element || element === document.body) return undefined;
      const style = getComputedStyle(element);
      if (style.outlineStyle === "none" || Number.parseFloat(style.outlineWidth) === 0) {
        return { what: element.outerHTML.slice(0, 60), ring: "", around: "" };
      }
      // The nearest opaque background around the element: what the ring is drawn on.
      let around = "rgb(255, 255, 255)";
      for (let node = element.parentElement; node; node = node.parentElement) {
        const background = getComputedStyle(node).backgroundColor;
        if (background !== "rgba(0, 0, 0, 0)" && background !== "transparent") {
          around = background;
          break;
        }
      }
      return { what: element.outerHTML.slice(0, 60), ring: style.outlineColor, around };
    });
    if (!found) continue;
    seen++;
    if (!found.ring) {
      failures.push({
        what: `${found.what} (no focus ring)`,
        ratio: 0,
        required: 3,
        color: "",
        background: "",
      });
      continue;
    }
    const measured = await page.evaluate(
      ({ ring, around }) => {
        const canvas = document.createElement("canvas");
        canvas.width = 1;
        canvas.height = 1;
        const paint = canvas.getContext("2d", { willReadFrequently: true });
        if (!paint) throw new Error("no 2D canvas");
        // Paint what surrounds the ring, then the ring over it: the colour as seen.
        const read = (first: string, second?: string) => {
          paint.clearRect(0, 0, 1, 1);
          for (const fill of second ? [first, second] : [first]) {
            paint.fillStyle = fill;
            paint.fillRect(0, 0, 1, 1);
          }
          const [r = 0, g = 0, b = 0] = paint.getImageData(0, 0, 1, 1).data;
          return [r, g, b];
        };
        const luminance = (rgb: number[]) =>
          rgb
            .map((value) => value / 255)
            .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
            .reduce((sum, c, index) => sum + c * ([0.2126, 0.7152, 0.0722][index] ?? 0), 0);
        const [light, dark] = [luminance(read(around, ring)), luminance(read(around))].sort((x, y) => y - x);
        return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
      },
      { ring: found.ring, around: found.around },
    );
    if (measured < 3) {
      failures.push({
        what: `${found.what} (focus ring)`,
        ratio: Math.round(measured * 100) / 100,
        required: 3,
        color: found.ring,
        background: found.around,
      });
    }
  }
  return { failures, seen };
}
