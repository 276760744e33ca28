/**
 * The members of the public packages' interfaces, classes and object types that have no JSDoc. docgen checks
 * exports only; `npm run docs` fails on the members this finds too.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

/** The public modules of a package: `src/*.ts`, not `src/internal/`. */
const publicModules = (root: string, name: string): Array<string> => {
  const src = path.join(root, "packages", name, "src")
  return fs.readdirSync(src).filter((file) => file.endsWith(".ts")).map((file) => path.join(src, file))
}

/** A JSDoc comment with a description, not only tags such as `@since`. */
const hasJsDoc = (node: ts.Node): boolean =>
  ts.getJSDocCommentsAndTags(node).some((doc) => ts.isJSDoc(doc) && ts.getTextOfJSDocComment(doc.comment)?.trim())

const isPrivate = (member: ts.ClassElement | ts.TypeElement): boolean =>
  (member.name !== undefined && ts.isPrivateIdentifier(member.name)) ||
  (ts.canHaveModifiers(member) &&
    (ts.getModifiers(member) ?? []).some((modifier) =>
      modifier.kind === ts.SyntaxKind.PrivateKeyword || modifier.kind === ts.SyntaxKind.ProtectedKeyword
    ))

/**
 * Walks the declarations of a module (and of its namespaces) and returns `file:line Owner.member` for each
 * member of an interface, class or type literal alias without a JSDoc description (constructors excluded).
 */
export const undocumentedMembers = (root: string, packages: ReadonlyArray<string>): Array<string> => {
  const missing: Array<string> = []
  for (const name of packages) {
    for (const file of publicModules(root, name)) {
      const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
      const report = (owner: string, members: ts.NodeArray<ts.ClassElement | ts.TypeElement>) => {
        for (const member of members) {
          if (ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member)) continue
          if (ts.isIndexSignatureDeclaration(member) || isPrivate(member) || hasJsDoc(member)) continue
          const { line } = source.getLineAndCharacterOfPosition(member.getStart())
          const memberName = member.name === undefined ? "(call)" : member.name.getText(source)
          missing.push(`${path.relative(root, file)}:${line + 1} ${owner}.${memberName}`)
        }
      }
      const visit = (node: ts.Node): void => {
        if (ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) {
          report(node.name?.text ?? "default", node.members)
        } else if (ts.isTypeAliasDeclaration(node) && ts.isTypeLiteralNode(node.type)) {
          report(node.name.text, node.type.members)
        }
        if (ts.isModuleDeclaration(node) || ts.isModuleBlock(node) || ts.isSourceFile(node)) {
          ts.forEachChild(node, visit)
        }
      }
      visit(source)
    }
  }
  return missing
}
