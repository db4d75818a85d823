/** The display name this browser joins with, kept between visits. */
const NAME_STORAGE = 'worldtick:name';

export function displayName(): string {
  const saved = localStorage.getItem(NAME_STORAGE);
  if (saved) return saved;
  const name = `guest-${Math.random().toString(36).slice(2, 6)}`;
  localStorage.setItem(NAME_STORAGE, name);
  return name;
}

export function setDisplayName(name: string): void {
  if (name.trim()) localStorage.setItem(NAME_STORAGE, name.trim());
}
