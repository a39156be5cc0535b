import { usePolicyWorkspace } from './__testUtils__/policyWorkspace';

describe('host files', () => {
  const { violationsOf, refusedBlocks } = usePolicyWorkspace();

  describe('passes', () => {
    it('descriptions that mention a file (in parentheses) as plain text', async () => {
      expect(
        await refusedBlocks(`
variable "config" {
  description = "Path of the config file (JSON), relative to templatefile (x)"
  type        = string
}
`),
      ).toEqual([]);
    });
  });

  describe('arguments that name host files', () => {
    it.each([
      ['aws_s3_object', 'source', '"/home/backstage/app-config.yaml"'],
      ['aws_s3_object', 'source', '"${path.module}/../../secret"'],
      ['aws_lambda_function', 'filename', 'var.package'],
      ['aws_synthetics_canary', 'zip_file', '"~/canary.zip"'],
      ['aws_s3_object', 'source', '"./.kler-terraform/link"'],
    ])(
      'refuses %s.%s = %s, which uploads a file of the host',
      async (type, argument, value) => {
        expect(
          await refusedBlocks(
            `resource "${type}" "x" {\n  ${argument} = ${value}\n}\n`,
          ),
        ).toEqual([`resource "${type}" "x" ${argument}`]);
      },
    );

    it('accepts host-file arguments relative to the root module', async () => {
      expect(
        await refusedBlocks(
          'resource "aws_lambda_function" "x" {\n  filename = "build/lambda.zip"\n}\n',
        ),
      ).toEqual([]);
    });
  });

  describe('file functions', () => {
    it.each([
      ['file("/etc/passwd")'],
      ['file (  "/etc/passwd")'],
      ['file /* a comment */ ("/etc/passwd")'],
      ['(file // a comment\n    ("/etc/passwd"))'],
      ['core::file("/etc/passwd")'],
      ['file("${path.module}/../../secret")'],
      ['file("${path.module}/${local.up}secret")'],
      ['file("${path.module}/${var.name}")'],
      ['file(path.module == "" ? "x" : "/etc/passwd")'],
      ['file("${path.module}/x" == "" ? "x" : "/etc/passwd")'],
      ['file("${path.module}/.kler-terraform/link")'],
      ['file(abspath("x"))'],
      ['filebase64("/root/.ssh/id_rsa")'],
      ['filesha256("/etc/shadow")'],
      ['fileexists("/etc/passwd")'],
      ['fileset(path.module, "../*")'],
      ['fileset("/", "**")'],
      ['fileset(path.module, "**")'],
      ['fileset(path.module, "*/credentials")'],
      ['fileset(path.module, "./*/credentials")'],
      ['fileset("${path.module}/.", "*/credentials")'],
      ['fileset(path.module, "{.kler-terraform,x}/*")'],
      ['fileset(path.module, var.pattern)'],
      ['templatefile("/etc/motd", {})'],
      ['templatefile("${path.module}/${var.template}", {})'],
    ])('refuses %s', async call => {
      const violations = await violationsOf({
        'main.tf': `locals {\n  up = "../../"\n  x  = ${call}\n}\n`,
      });
      expect(violations).toEqual([
        expect.objectContaining({
          file: 'main.tf',
          line: 3,
          reason: expect.stringMatching(/^is refused: /),
        }),
      ]);
    });

    it('refuses file functions in heredocs, template directives, outputs, object keys, nested and dynamic blocks', async () => {
      const violations = await violationsOf({
        'main.tf': `locals {
  script = <<-EOT
    #!/bin/sh
    echo \${file("/etc/hostname")}
  EOT
  listing = "%{for f in fileset("/home", "*")}\${f} %{endfor}"
  keyed   = { (filemd5("/etc/passwd")) = 1 }
}

output "o" {
  value = filebase64("/etc/shadow")
}

resource "aws_security_group" "g" {
  ingress {
    description = filesha1("/etc/group")
  }

  dynamic "egress" {
    for_each = [1]
    content {
      description = filesha512("/etc/hosts")
    }
  }
}
`,
      });
      expect(
        violations
          .map(violation => [
            violation.line,
            violation.block.replace(/\(.*/s, ''),
          ])
          .sort((a, b) => Number(a[0]) - Number(b[0])),
      ).toEqual([
        [4, 'file'],
        [6, 'fileset'],
        [7, 'filemd5'],
        [11, 'filebase64'],
        [16, 'filesha1'],
        [22, 'filesha512'],
      ]);
    });

    it('refuses a template that templatefile reads when the template reads files', async () => {
      const violations = await violationsOf({
        'main.tf':
          'output "o" {\n  value = templatefile("${path.module}/user-data.tpl", { path = "/etc/passwd" })\n}\n',
        'user-data.tpl': '#!/bin/sh\necho ${file(path)}\n',
      });
      expect(violations).toEqual([
        expect.objectContaining({
          line: 2,
          reason:
            'is refused: the template calls file(), and a template may not read files',
        }),
      ]);
    });

    it('refuses paths named by a variable that fileset did not give', async () => {
      expect(
        await refusedBlocks(`
locals {
  shadowed = [for f in fileset(path.module, "services/*.json") : [for f in ["../../etc/passwd"] : file("\${path.module}/\${f}")]]
}
resource "aws_s3_object" "o" {
  for_each = toset(["../../etc/passwd"])
  content  = file("\${path.module}/\${each.value}")
  source   = "\${path.module}/\${each.value}"
}
`),
      ).toEqual([
        'resource "aws_s3_object" "o" source',
        expect.stringMatching(/^file\(/),
        expect.stringMatching(/^file\(/),
      ]);
    });
  });
});
