// The part of madge's API the structure test uses (madge ships no types).
declare module 'madge' {
  interface MadgeResult {
    circular(): string[][];
  }
  export default function madge(
    paths: string | string[],
    config?: { fileExtensions?: string[]; tsConfig?: string; excludeRegExp?: RegExp[] },
  ): Promise<MadgeResult>;
}
