// What a client team writes against the types openapi-typescript generates from the document
// (test_typescript_client.py generates ./api.d.ts beside a copy of this file, then runs tsc).
import type { components, paths } from "./api";

type SubmitCase = paths["/api/v1/cases"]["post"];
type Submission = SubmitCase["requestBody"]["content"]["application/json"];
type Created = SubmitCase["responses"][201]["content"]["application/json"];
type Invalid = SubmitCase["responses"][422]["content"]["application/problem+json"];
type Problem = components["schemas"]["Problem"];

export const submission: Submission = {
  item_code: "XS-HJ-0001",
  form: { name: "张三" },
  materials: [{ type: "id_card", upload_id: "u-1" }],
  delivery: { method: "window" },
};

// @ts-expect-error materials is a list of {type, upload_id}, not a string
export const badMaterials: Submission = { ...submission, materials: "id_card" };

export function describe(created: Created): string {
  const number: string = created.number;
  const open: boolean = created.public_status === "open";
  return `${number} ${created.status} ${open ? "办理中" : "已办结"}`;
}

// @ts-expect-error a case status is one of the values API.md lists
export const noSuchStatus: Created["status"] = "lost";

export function explain(problem: Invalid): string {
  const code: string = problem.code;
  const general: Problem = problem;
  return `${problem.status} ${code}: ${general.detail}`;
}

export const invalid: Invalid["code"] = "validation_failed";
// @ts-expect-error the 422 codes of this operation are an enum
export const notACodeHere: Invalid["code"] = "no_such_code";
