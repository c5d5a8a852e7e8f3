import { itemDescription, itemTitle, userEmail, userName } from "@app/api/schemas";
import { describe, expect, it } from "vitest";
import { ascii, demoPeople } from "./demo-data.ts";

describe("demo people", () => {
  it("are the same for the same seed and differ for another", () => {
    expect(demoPeople(7, 50)).toEqual(demoPeople(7, 50));
    expect(demoPeople(8, 50)).not.toEqual(demoPeople(7, 50));
  });

  it("are what the API accepts as is, with 1 to 5 items each and unique emails on reserved domains", () => {
    const people = demoPeople(1, 1000);
    expect(new Set(people.map((person) => person.email)).size).toBe(1000);
    for (const person of people) {
      expect(userName.parse(person.name)).toBe(person.name);
      expect(userEmail.parse(person.email)).toBe(person.email);
      expect(person.email).toMatch(/@([a-z]+\.)?example\.(com|org|net)$/);
      expect(person.items.length).toBeGreaterThanOrEqual(1);
      expect(person.items.length).toBeLessThanOrEqual(5);
      for (const item of person.items) {
        expect(itemTitle.parse(item.title)).toBe(item.title);
        expect(itemDescription.parse(item.description)).toBe(item.description);
      }
    }
  });

  it("vary: names from many languages, with and without items' descriptions", () => {
    const people = demoPeople(1, 300);
    expect(new Set(people.map((person) => person.name)).size).toBeGreaterThan(250);
    expect(people.some((person) => /[^\p{ASCII}]/u.test(person.name))).toBe(true);
    const descriptions = people.flatMap((person) => person.items.map((item) => item.description));
    expect(descriptions).toContain(null);
    expect(new Set(descriptions).size).toBeGreaterThan(50);
  });

  it("keep clear of emails already taken, with a number", () => {
    const [first] = demoPeople(1, 1);
    const email = first?.email ?? "";
    const [again] = demoPeople(1, 1, new Set([email]));
    expect(again?.name).toBe(first?.name);
    expect(again?.email).toBe(email.replace("@", "2@"));
  });

  it("have emails folded to ASCII letters", () => {
    expect(ascii("Łukasz")).toBe("lukasz");
    expect(ascii("Søren")).toBe("soren");
    expect(ascii("Émile")).toBe("emile");
    expect(ascii("O'Brien")).toBe("obrien");
    expect(ascii("de Vries")).toBe("devries");
    expect(ascii("Ji-woo")).toBe("jiwoo");
  });
});
