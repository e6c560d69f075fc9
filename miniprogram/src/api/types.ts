// Names for the server's schemas, taken from the types generated from its OpenAPI document
// (schema.d.ts: `make types` writes it; `make lint` fails when it is stale). Add names here as
// pages need them; never write a response type by hand.
import type { components } from './schema'

type S = components['schemas']

export type Problem = S['Problem']
export type Me = S['CitizenMe']
export type LoginAnswer = S['WeChatLoginResponse']
export type ItemPage = S['ItemPage']
export type ItemDetail = S['ItemDetail']
export type FormField = S['FormFieldOut']
export type BundleDetail = S['BundleOut']
export type CaseForCitizen = S['CaseForCitizen']
export type CitizenCasePage = S['CitizenCasePage']
export type CaseSubmission = S['CaseSubmission']
export type MessagePage = S['MessagePage']
export type MandatePage = S['MandatePage']
export type NearbyPage = S['NearbyPage']
export type UploadCreated = S['UploadCreated']
export type TerminalLoginAnswer = S['TerminalLoginResponse']
export type KioskSessionRequest = S['SessionRequest']
export type KioskSessionAnswer = S['SessionResponse']
export type NoticeForCitizen = S['NoticeForCitizen']
export type CaseSummary = S['CaseSummary']
